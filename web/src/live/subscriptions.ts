import type { Bundle, Subscription } from 'fhir/r4';

export const TOPIC_BASE = 'http://renkei.example.jp/fhir/SubscriptionTopic/';

/**
 * The topics the app listens to for its user (docs/notifications.md, Topics): what the patient page's timeline and
 * the inbox show. Each is one Subscription without filters: the hub sends the user every event of the topic they
 * may read, whichever patient it concerns.
 */
export const LIVE_TOPICS = ['care-document', 'handoff-task', 'overdue-handoff', 'communication', 'break-glass', 'flagged-observation'] as const;

/** Marks the Subscriptions this app made, so that it reuses them instead of making new ones at every start. */
export const APP_REASON = 'Renkei ウェブアプリのリアルタイム通知 (web app live updates)';

export const HEARTBEAT_SECONDS = 60;

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/';

/** A Subscription of the app for one topic: websocket, id-only (the app refetches what it shows; no record on the wire). */
export function appSubscription(topic: string): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: APP_REASON,
    criteria: TOPIC_BASE + topic,
    channel: {
      extension: [{ url: BACKPORT + 'backport-heartbeat-period', valueUnsignedInt: HEARTBEAT_SECONDS }],
      type: 'websocket',
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: BACKPORT + 'backport-payload-content', valueCode: 'id-only' }] },
    } as Subscription['channel'],
  };
}

/** Whether a stored Subscription is one of the app's for this topic and still usable. */
export function isAppSubscription(subscription: Subscription, topic: string): boolean {
  return (
    subscription.reason === APP_REASON &&
    subscription.criteria === TOPIC_BASE + topic &&
    !subscription._criteria?.extension?.length &&
    subscription.channel?.type === 'websocket' &&
    subscription.status === 'active' &&
    !subscription.end
  );
}

/** For each topic, the id of the user's app Subscription, if the search found one. */
export function reusable(search: Bundle<Subscription>): Map<string, string> {
  const found = new Map<string, string>();
  const subscriptions = (search.entry ?? []).map((e) => e.resource).filter((r): r is Subscription => r?.resourceType === 'Subscription');
  for (const topic of LIVE_TOPICS) {
    const match = subscriptions.find((s) => s.id && isAppSubscription(s, topic));
    if (match?.id) {
      found.set(topic, match.id);
    }
  }
  return found;
}
