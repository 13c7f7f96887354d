import type { Bundle, Parameters, ParametersParameter } from 'fhir/r4';

/** The Backport IG's SubscriptionStatus types (R4: a Parameters resource). */
export type StatusType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status' | 'query-event';

export interface NotificationEvent {
  number: number;
  timestamp?: string;
  /** the record the event is about, relative (`Bundle/123`); absent when the subscriber may no longer read it */
  focus?: { type: string; id: string };
}

/** One message of the socket, or the answer of `$events`: the status of one Subscription and its events. */
export interface SubscriptionStatus {
  /** the Subscription's id (the hub writes an absolute reference; only the id counts) */
  subscription: string;
  topic: string;
  type: StatusType;
  /** events-since-subscription-start: on the socket, the last event already sent to it */
  eventsSinceStart: number;
  events: NotificationEvent[];
}

const TYPES: ReadonlySet<string> = new Set(['handshake', 'heartbeat', 'event-notification', 'query-status', 'query-event']);

function value(parameter: ParametersParameter | undefined): string | undefined {
  if (!parameter) {
    return undefined;
  }
  return (
    parameter.valueString ??
    parameter.valueCode ??
    parameter.valueCanonical ??
    parameter.valueInstant ??
    parameter.valueDateTime ??
    parameter.valueUrl ??
    parameter.valueUri ??
    parameter.valueReference?.reference
  );
}

/** `https://hub/fhir/Bundle/abc` or `Bundle/abc` (optionally with `/_history/n`) → type and id. */
export function relativeReference(reference: string | undefined): { type: string; id: string } | undefined {
  const match = reference?.match(/(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/);
  return match ? { type: match[1], id: match[2] } : undefined;
}

/** The SubscriptionStatus of a notification Bundle (socket message, `$events` or `$status` answer); undefined if it is none. */
export function parseStatus(bundle: unknown): SubscriptionStatus | undefined {
  const entries = (bundle as Bundle | undefined)?.entry;
  const status = entries?.[0]?.resource as Parameters | undefined;
  if ((bundle as Bundle | undefined)?.resourceType !== 'Bundle' || status?.resourceType !== 'Parameters') {
    return undefined;
  }
  const parameters = status.parameter ?? [];
  const named = (name: string) => parameters.find((p) => p.name === name);
  const type = value(named('type'));
  const subscription = relativeReference(value(named('subscription')));
  const count = Number(value(named('events-since-subscription-start')) ?? '0');
  if (!type || !TYPES.has(type) || !subscription || subscription.type !== 'Subscription' || !Number.isFinite(count)) {
    return undefined;
  }
  const events: NotificationEvent[] = [];
  for (const event of parameters.filter((p) => p.name === 'notification-event')) {
    const part = (name: string) => event.part?.find((p) => p.name === name);
    const number = Number(value(part('event-number')));
    if (!Number.isInteger(number) || number < 1) {
      continue;
    }
    const focus = relativeReference(value(part('focus')));
    const timestamp = value(part('timestamp'));
    events.push({ number, ...(timestamp ? { timestamp } : {}), ...(focus ? { focus } : {}) });
  }
  return { subscription: subscription.id, topic: value(named('topic')) ?? '', type: type as StatusType, eventsSinceStart: count, events };
}

export interface BindingToken {
  token: string;
  /** epoch milliseconds */
  expiresAt: number;
}

/** The answer of `$get-ws-binding-token`: the token and when it expires. */
export function parseBindingToken(parameters: unknown): BindingToken {
  const list = (parameters as Parameters | undefined)?.parameter ?? [];
  const token = value(list.find((p) => p.name === 'token'));
  const expiration = Date.parse(value(list.find((p) => p.name === 'expiration')) ?? '');
  if (!token || Number.isNaN(expiration)) {
    throw new Error('$get-ws-binding-token: no token or expiration');
  }
  return { token, expiresAt: expiration };
}
