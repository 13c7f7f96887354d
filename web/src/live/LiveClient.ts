import type { Bundle, Parameters, Resource, Subscription } from 'fhir/r4';
import { FhirError } from '../fhir/errors';
import { EventNumbers } from './eventNumbers';
import { parseBindingToken, parseStatus, type BindingToken, type NotificationEvent, type SubscriptionStatus } from './messages';
import { appSubscription, HEARTBEAT_SECONDS, LIVE_TOPICS, reusable } from './subscriptions';
import { backoffDelay, extendsBinding, rebindDelay, silenceLimit } from './timing';

/** 接続中 connected, 再接続中 reconnecting, 切断 disconnected (and still trying); connecting only before the first bind. */
export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** One event of a Subscription, handed to the app exactly once whether it came on the socket or from `$events`. */
export interface LiveEvent extends NotificationEvent {
  subscription: string;
  /** the topic's code, e.g. care-document */
  topic: string;
}

export interface LiveListener {
  status?(status: LiveStatus, reason?: string): void;
  event?(event: LiveEvent): void;
  /** Changes before this client's first bind cannot be named: refetch whatever is shown. */
  resync?(): void;
}

/** What the client needs of a WebSocket (the browser's, or a test's fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** The hub's FHIR API with the user's current token (the app's FhirClient). */
export interface LiveApi {
  request<T>(method: string, path: string, body?: Resource): Promise<T>;
}

export interface LiveClientOptions {
  api: LiveApi;
  /** ws(s)://<the app's origin>/notifications */
  socketUrl: string;
  openSocket?: (url: string) => SocketLike;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  random?: () => number;
}

const OPEN = 1;
/** Failed attempts in a row after which the indicator says 切断 instead of 再接続中 (the client keeps trying). */
const ATTEMPTS_BEFORE_DISCONNECTED = 3;

/**
 * The notification client of the signed-in user (docs/notifications.md, docs/web-app.md "Live updates"): reuses or
 * creates one Subscription per topic of {@link LIVE_TOPICS}, binds them all with one binding token on one socket,
 * re-binds on the same socket with a fresh token before the binding expires, reconnects with backoff after a lost
 * connection, and fills every gap in the event numbers with `$events`, so each event reaches the listener once.
 */
export class LiveClient {
  private readonly api: LiveApi;
  private readonly socketUrl: string;
  private readonly openSocket: (url: string) => SocketLike;
  private readonly now: () => number;
  private readonly setTimer: (run: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly random: () => number;
  private readonly listeners = new Set<LiveListener>();

  private started = false;
  /** bumped for every connection: callbacks of an older socket are ignored */
  private generation = 0;
  private socket: SocketLike | null = null;
  private subscriptions = new Map<string, string>(); // id → topic
  private readonly numbers = new Map<string, EventNumbers>(); // id → handled event numbers
  private readonly catchingUp = new Set<string>();
  private bindingExpiresAt: number | undefined;
  private rebinding = false;
  private attempt = 0;
  private resyncDue = false;
  private currentStatus: LiveStatus = 'connecting';
  private rebindTimer: unknown;
  private reconnectTimer: unknown;
  private silenceTimer: unknown;

  constructor(options: LiveClientOptions) {
    this.api = options.api;
    this.socketUrl = options.socketUrl;
    this.openSocket = options.openSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.random = options.random ?? Math.random;
  }

  get status(): LiveStatus {
    return this.currentStatus;
  }

  listen(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    this.attempt = 0;
    this.setStatus('connecting');
    void this.connect();
  }

  stop(): void {
    this.started = false;
    this.generation += 1;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close(1000, 'signed out');
    }
    this.setStatus('disconnected');
  }

  /**
   * The access token was renewed: a binding token asked for now lives longer, so re-bind at once; when the
   * connection is down, try again now instead of waiting out the backoff.
   */
  tokenRenewed(): void {
    if (!this.started) {
      return;
    }
    if (this.socket && this.socket.readyState === OPEN && this.bindingExpiresAt !== undefined) {
      void this.rebind();
    } else if (this.reconnectTimer !== undefined) {
      this.reconnectNow();
    }
  }

  /** The browser is back online: do not wait for the backoff. */
  reconnectNow(): void {
    if (!this.started || this.reconnectTimer === undefined) {
      return;
    }
    this.clearTimer(this.reconnectTimer);
    this.reconnectTimer = undefined;
    void this.connect();
  }

  // ---- connection ----------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.reconnectTimer = undefined;
    try {
      if (this.subscriptions.size === 0) {
        await this.ensureSubscriptions();
      }
      const binding = await this.bindingToken();
      if (generation !== this.generation || !this.started) {
        return;
      }
      const socket = this.openSocket(this.socketUrl);
      this.socket = socket;
      this.bindingExpiresAt = binding.expiresAt;
      socket.onopen = () => {
        if (generation === this.generation) {
          socket.send(`bind-with-token: ${binding.token}`);
          this.watchSilence(generation);
        }
      };
      socket.onmessage = (message) => this.received(generation, message.data);
      socket.onclose = (event) => this.lost(generation, (event as { reason?: string } | undefined)?.reason);
      socket.onerror = () => {}; // a close event follows
    } catch (error) {
      if (error instanceof FhirError && error.status === 404) {
        this.subscriptions.clear(); // a Subscription was deleted meanwhile: find or make them again
      }
      if (error instanceof FhirError && error.kind === 'forbidden') {
        // no Renkei role, or the hub refuses subscriptions to this user: nothing to retry
        this.started = false;
        this.setStatus('disconnected', error.title);
        return;
      }
      this.lost(generation, error instanceof FhirError ? error.title : undefined);
    }
  }

  private lost(generation: number, reason?: string): void {
    if (generation !== this.generation || !this.started) {
      return;
    }
    this.generation += 1;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    this.bindingExpiresAt = undefined;
    if (socket) {
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      if (socket.readyState === OPEN) {
        socket.close(4000, 'reconnecting');
      }
    }
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.setStatus(this.attempt > ATTEMPTS_BEFORE_DISCONNECTED ? 'disconnected' : 'reconnecting', reason);
    this.reconnectTimer = this.setTimer(() => void this.connect(), delay);
  }

  private async ensureSubscriptions(): Promise<void> {
    const found = reusable(await this.api.request<Bundle<Subscription>>('GET', 'Subscription'));
    const subscriptions = new Map<string, string>();
    for (const topic of LIVE_TOPICS) {
      let id = found.get(topic);
      if (!id) {
        id = (await this.api.request<Subscription>('POST', 'Subscription', appSubscription(topic))).id;
      }
      if (id) {
        subscriptions.set(id, topic);
      }
    }
    this.subscriptions = subscriptions;
  }

  private async bindingToken(): Promise<BindingToken> {
    const ask: Parameters = {
      resourceType: 'Parameters',
      parameter: [...this.subscriptions.keys()].map((id) => ({ name: 'id', valueId: id })),
    };
    return parseBindingToken(await this.api.request<Parameters>('POST', 'Subscription/$get-ws-binding-token', ask));
  }

  // ---- staying bound -------------------------------------------------------------------------

  private scheduleRebind(): void {
    if (this.rebindTimer !== undefined) {
      this.clearTimer(this.rebindTimer);
    }
    this.rebindTimer = undefined;
    if (this.bindingExpiresAt !== undefined) {
      this.rebindTimer = this.setTimer(() => {
        this.rebindTimer = undefined;
        void this.rebind();
      }, rebindDelay(this.bindingExpiresAt, this.now()));
    }
  }

  /** A fresh binding token sent on the same socket: the hub renews the binding without a gap (no event lost or repeated). */
  private async rebind(): Promise<void> {
    const socket = this.socket;
    if (this.rebinding || !socket || socket.readyState !== OPEN) {
      return;
    }
    this.rebinding = true;
    try {
      const binding = await this.bindingToken();
      if (socket !== this.socket || socket.readyState !== OPEN) {
        return;
      }
      if (!extendsBinding(this.bindingExpiresAt, binding.expiresAt)) {
        // the access token has not been renewed yet: tokenRenewed() re-binds when it is
        return;
      }
      socket.send(`bind-with-token: ${binding.token}`);
      this.bindingExpiresAt = binding.expiresAt;
      this.scheduleRebind();
    } catch (error) {
      if (error instanceof FhirError && error.status === 404) {
        this.lost(this.generation, error.title); // a Subscription is gone: reconnect finds or makes them again
        this.subscriptions.clear();
      }
      // otherwise the binding holds until it expires; the hub then closes the socket and the client reconnects
    } finally {
      this.rebinding = false;
    }
  }

  private watchSilence(generation: number): void {
    if (this.silenceTimer !== undefined) {
      this.clearTimer(this.silenceTimer);
    }
    this.silenceTimer = this.setTimer(() => {
      this.silenceTimer = undefined;
      this.lost(generation, 'no heartbeat');
    }, silenceLimit(HEARTBEAT_SECONDS));
  }

  // ---- messages and catch-up -----------------------------------------------------------------

  private received(generation: number, data: unknown): void {
    if (generation !== this.generation) {
      return;
    }
    this.watchSilence(generation);
    let status: SubscriptionStatus | undefined;
    try {
      status = parseStatus(JSON.parse(String(data)));
    } catch {
      status = undefined;
    }
    if (!status || !this.subscriptions.has(status.subscription)) {
      return;
    }
    let numbers = this.numbers.get(status.subscription);
    if (status.type === 'handshake') {
      if (!numbers) {
        // the first bind of this client: what happened before it is in the data the page loads now
        this.numbers.set(status.subscription, new EventNumbers(status.eventsSinceStart));
        this.resyncSoon();
      } else {
        numbers.announce(status.eventsSinceStart);
      }
      if (this.currentStatus !== 'connected') {
        this.attempt = 0;
        this.setStatus('connected');
        this.scheduleRebind();
      }
    } else if (numbers) {
      this.deliver(status.subscription, numbers, status.events);
      numbers.announce(status.eventsSinceStart);
    } else if (status.events.length > 0) {
      // an event before any handshake (not expected): count from it rather than replay the Subscription's past
      numbers = new EventNumbers(Math.min(...status.events.map((e) => e.number)) - 1);
      this.numbers.set(status.subscription, numbers);
      this.deliver(status.subscription, numbers, status.events);
    }
    void this.catchUp(status.subscription);
  }

  private deliver(subscription: string, numbers: EventNumbers, events: NotificationEvent[]): void {
    const topic = this.subscriptions.get(subscription) ?? '';
    for (const event of [...events].sort((a, b) => a.number - b.number)) {
      if (numbers.accept(event.number)) {
        this.listeners.forEach((l) => l.event?.({ ...event, subscription, topic }));
      }
    }
  }

  /** Asks `$events` for every number still missing, one request per range (the hub answers up to 1000 at a time). */
  private async catchUp(subscription: string): Promise<void> {
    const numbers = this.numbers.get(subscription);
    if (!numbers || this.catchingUp.has(subscription)) {
      return;
    }
    this.catchingUp.add(subscription);
    try {
      for (let range = numbers.missing(); range && this.started; range = numbers.missing()) {
        const answer = parseStatus(
          await this.api.request<Bundle>(
            'GET',
            `Subscription/${encodeURIComponent(subscription)}/$events?eventsSinceNumber=${range.from}&eventsUntilNumber=${range.to}`,
          ),
        );
        const events = (answer?.events ?? []).filter((e) => e.number >= range.from && e.number <= range.to);
        this.deliver(subscription, numbers, events);
        if (events.length === 0 || numbers.last < range.from) {
          numbers.skipTo(range.to); // the hub has nothing (more) for these numbers: do not ask forever
        }
      }
    } catch {
      // tried again at the next message or connection
    } finally {
      this.catchingUp.delete(subscription);
    }
  }

  private resyncSoon(): void {
    if (this.resyncDue) {
      return;
    }
    this.resyncDue = true;
    this.setTimer(() => {
      this.resyncDue = false;
      this.listeners.forEach((l) => l.resync?.());
    }, 0);
  }

  private setStatus(status: LiveStatus, reason?: string): void {
    this.currentStatus = status;
    this.listeners.forEach((l) => l.status?.(status, reason));
  }

  private clearTimers(): void {
    for (const handle of [this.rebindTimer, this.reconnectTimer, this.silenceTimer]) {
      if (handle !== undefined) {
        this.clearTimer(handle);
      }
    }
    this.rebindTimer = this.reconnectTimer = this.silenceTimer = undefined;
  }
}
