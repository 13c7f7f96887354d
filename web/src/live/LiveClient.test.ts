import { beforeEach, describe, expect, it } from 'vitest';
import type { Parameters, Subscription } from 'fhir/r4';
import { FhirClient } from '../fhir/client';
import { LiveClient, type LiveEvent, type LiveStatus, type SocketLike } from './LiveClient';
import { APP_REASON, appSubscription, LIVE_TOPICS, TOPIC_BASE } from './subscriptions';
import { notification } from './testSupport';

/** A WebSocket double: records what the client sends, lets the test deliver messages and close it. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  push(bundle: unknown) {
    this.onmessage?.({ data: JSON.stringify(bundle) });
  }
  drop(reason = 'network') {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason });
  }
}

interface Timer {
  run: () => void;
  ms: number;
  done: boolean;
}

const ids = LIVE_TOPICS.map((topic) => `sub-${topic}`);
const DOCS = 'sub-care-document';

/** The hub's answers: Subscriptions (one already there), binding tokens that expire at the clock's now + lifetime. */
class FakeHub {
  requests: string[] = [];
  created: Subscription[] = [];
  tokens = 0;
  lifetime = 300_000;
  clock = { now: 1_000_000 };
  events = new Map<number, string>(); // number → focus, for $events of DOCS
  refuseSubscriptions = false;
  failTokens = false;

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input).replace(/^\/fhir\//, '');
    const method = init?.method ?? 'GET';
    this.requests.push(`${method} ${decodeURIComponent(url)}`);
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
    if (method === 'GET' && url === 'Subscription') {
      const existing: Subscription = { ...appSubscription('care-document'), id: DOCS, status: 'active' };
      const someoneElses: Subscription = { ...appSubscription('handoff-task'), id: 'other', status: 'active', reason: 'NotifyClient' };
      return json({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: existing }, { resource: someoneElses }] });
    }
    if (method === 'POST' && url === 'Subscription') {
      if (this.refuseSubscriptions) {
        return json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden' }] }, 403);
      }
      const body = JSON.parse(String(init?.body)) as Subscription;
      this.created.push(body);
      return json({ ...body, id: `sub-${body.criteria.slice(TOPIC_BASE.length)}`, status: 'active' }, 201);
    }
    if (method === 'POST' && url === 'Subscription/$get-ws-binding-token') {
      if (this.failTokens) {
        return json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }, 401);
      }
      const asked = (JSON.parse(String(init?.body)) as Parameters).parameter?.map((p) => p.valueId);
      expect(asked).toEqual(ids);
      this.tokens += 1;
      return json({
        resourceType: 'Parameters',
        parameter: [
          { name: 'token', valueString: `token-${this.tokens}` },
          { name: 'expiration', valueDateTime: new Date(this.clock.now + this.lifetime).toISOString() },
        ],
      });
    }
    const events = url.match(/^Subscription\/sub-care-document\/\$events\?eventsSinceNumber=(\d+)&eventsUntilNumber=(\d+)$/);
    if (method === 'GET' && events) {
      const wanted = [...this.events.entries()].filter(([n]) => n >= Number(events[1]) && n <= Number(events[2]));
      return json(notification(DOCS, 'query-event', Math.max(0, ...this.events.keys()), wanted.map(([number, focus]) => ({ number, focus }))));
    }
    return json({ resourceType: 'OperationOutcome' }, 404);
  };
}

let hub: FakeHub;
let sockets: FakeSocket[];
let timers: Timer[];
let received: LiveEvent[];
let statuses: LiveStatus[];
let resyncs: number;
let client: LiveClient;

function settle() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

async function fire(ms: number) {
  const due = timers.filter((t) => !t.done && t.ms === ms);
  expect(due.length, `a timer of ${ms} ms`).toBeGreaterThan(0);
  for (const timer of due) {
    timer.done = true;
    timer.run();
  }
  await settle();
  await settle();
}

function pending(): number[] {
  return timers.filter((t) => !t.done).map((t) => t.ms);
}

async function connected(socket: FakeSocket, counts: Record<string, number> = {}) {
  socket.open();
  for (const id of ids) {
    socket.push(notification(id, 'handshake', counts[id] ?? 0));
  }
  await settle();
  await settle();
}

beforeEach(async () => {
  hub = new FakeHub();
  sockets = [];
  timers = [];
  received = [];
  statuses = [];
  resyncs = 0;
  client = new LiveClient({
    api: new FhirClient('/fhir', () => 'access', hub.fetch),
    socketUrl: 'ws://127.0.0.1:8080/notifications',
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    now: () => hub.clock.now,
    setTimer: (run, ms) => {
      const timer = { run, ms, done: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      (timer as Timer).done = true;
    },
    random: () => 0.5,
  });
  client.listen({ event: (e) => received.push(e), status: (s) => statuses.push(s), resync: () => (resyncs += 1) });
});

describe('LiveClient', () => {
  it('reuses the app Subscription it finds, creates the others, binds them all with one token on one socket', async () => {
    client.start();
    await settle();
    await settle();
    expect(hub.created.map((s) => s.criteria)).toEqual(LIVE_TOPICS.slice(1).map((t) => TOPIC_BASE + t));
    expect(hub.created.every((s) => s.reason === APP_REASON && s.channel.type === 'websocket')).toBe(true);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toBe('ws://127.0.0.1:8080/notifications');
    expect(client.status).toBe('connecting');

    await connected(sockets[0], { [DOCS]: 4 });
    expect(sockets[0].sent).toEqual(['bind-with-token: token-1']);
    expect(statuses).toEqual(['connecting', 'connected']);
    await fire(0);
    expect(resyncs).toBe(1); // the first bind: the page refetches once, the earlier 4 events are not replayed
    expect(hub.requests.filter((r) => r.includes('$events'))).toEqual([]);
  });

  it('hands each event over once and fills a gap in the numbers with $events', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0], { [DOCS]: 2 });
    const socket = sockets[0];
    hub.events.set(3, 'Bundle/b3').set(4, 'Composition/c4').set(5, 'Bundle/b5');

    socket.push(notification(DOCS, 'event-notification', 3, [{ number: 3, focus: 'Bundle/b3' }]));
    socket.push(notification(DOCS, 'event-notification', 3, [{ number: 3, focus: 'Bundle/b3' }]));
    socket.push(notification(DOCS, 'event-notification', 5, [{ number: 5, focus: 'Bundle/b5' }]));
    await settle();
    await settle();

    expect(hub.requests.filter((r) => r.includes('$events'))).toEqual([
      'GET Subscription/sub-care-document/$events?eventsSinceNumber=4&eventsUntilNumber=4',
    ]);
    expect(received.map((e) => [e.number, e.topic, `${e.focus?.type}/${e.focus?.id}`])).toEqual([
      [3, 'care-document', 'Bundle/b3'],
      [5, 'care-document', 'Bundle/b5'],
      [4, 'care-document', 'Composition/c4'],
    ]);
  });

  it('re-binds on the same socket before the binding expires, only with a token that outlives it', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0]);
    expect(pending()).toContain(270_000);

    // the timer fires before the access token was renewed: the fresh binding token expires no later; not sent
    await fire(270_000);
    expect(hub.tokens).toBe(2);
    expect(sockets[0].sent).toEqual(['bind-with-token: token-1']);

    // the access token is renewed: a token that lives longer is bound at once, on the same socket
    hub.clock.now += 240_000;
    client.tokenRenewed();
    await settle();
    await settle();
    expect(sockets).toHaveLength(1);
    expect(sockets[0].sent).toEqual(['bind-with-token: token-1', 'bind-with-token: token-3']);
    expect(pending()).toContain(270_000);

    // the hub's handshakes after the re-bind count what was sent: nothing missing, nothing asked
    sockets[0].push(notification(DOCS, 'event-notification', 1, [{ number: 1, focus: 'Bundle/b1' }]));
    for (const id of ids) {
      sockets[0].push(notification(id, 'handshake', id === DOCS ? 1 : 0));
    }
    await settle();
    expect(received.map((e) => e.number)).toEqual([1]);
    expect(hub.requests.filter((r) => r.includes('$events'))).toEqual([]);
    expect(statuses).toEqual(['connecting', 'connected']);
  });

  it('reconnects with backoff after a lost connection and catches up through $events, nothing missed or twice', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0], { [DOCS]: 1 });
    sockets[0].push(notification(DOCS, 'event-notification', 2, [{ number: 2, focus: 'Bundle/b2' }]));

    sockets[0].drop();
    expect(client.status).toBe('reconnecting');
    expect(pending()).toContain(1000);
    await fire(1000);
    expect(sockets).toHaveLength(2);
    expect(hub.created).toHaveLength(LIVE_TOPICS.length - 1); // Subscriptions are not made again

    // while away, events 3..5 were stored; the new socket also pushes 5 before the replay answers
    hub.events.set(3, 'Bundle/b3').set(4, 'Task/t4').set(5, 'Bundle/b5');
    sockets[1].open();
    expect(sockets[1].sent).toEqual(['bind-with-token: token-2']);
    sockets[1].push(notification(DOCS, 'handshake', 4));
    sockets[1].push(notification(DOCS, 'event-notification', 5, [{ number: 5, focus: 'Bundle/b5' }]));
    await settle();
    await settle();
    expect(client.status).toBe('connected');
    expect(hub.requests.filter((r) => r.includes('$events'))).toEqual([
      'GET Subscription/sub-care-document/$events?eventsSinceNumber=3&eventsUntilNumber=4',
    ]);
    expect(received.map((e) => e.number)).toEqual([2, 5, 3, 4]);
    expect(resyncs).toBe(0);
  });

  it('catches up when a heartbeat counts more events than arrived (a dropped message)', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0]);
    hub.events.set(1, 'Bundle/b1');
    sockets[0].push(notification(DOCS, 'heartbeat', 1));
    await settle();
    await settle();
    expect(received.map((e) => e.number)).toEqual([1]);
  });

  it('says 切断 after three failed attempts and keeps trying; a renewed token tries at once', async () => {
    hub.failTokens = true;
    client.start();
    await settle();
    await settle();
    expect(statuses).toEqual(['connecting', 'reconnecting']);
    await fire(1000);
    await fire(2000);
    await fire(4000);
    expect(statuses.at(-1)).toBe('disconnected');
    expect(pending()).toContain(8000);

    hub.failTokens = false;
    client.tokenRenewed();
    await settle();
    await settle();
    expect(sockets).toHaveLength(1);
    await connected(sockets[0]);
    expect(client.status).toBe('connected');
  });

  it('closes a socket that stays silent beyond two heartbeats and reconnects', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0]);
    await fire(135_000);
    expect(sockets[0].closedWith).toBe(4000);
    expect(client.status).toBe('reconnecting');
  });

  it('stops for good when the hub refuses the user Subscriptions (403)', async () => {
    hub.refuseSubscriptions = true;
    client.start();
    await settle();
    await settle();
    expect(client.status).toBe('disconnected');
    expect(pending()).toEqual([]);
    expect(sockets).toHaveLength(0);
  });

  it('stop closes the socket and ignores what it still delivers', async () => {
    client.start();
    await settle();
    await settle();
    await connected(sockets[0]);
    await fire(0); // the first bind's resync
    const socket = sockets[0];
    const push = socket.onmessage;
    client.stop();
    expect(socket.closedWith).toBe(1000);
    push?.({ data: JSON.stringify(notification(DOCS, 'event-notification', 1, [{ number: 1, focus: 'Bundle/b1' }])) });
    expect(received).toEqual([]);
    expect(pending()).toEqual([]);
  });
});
