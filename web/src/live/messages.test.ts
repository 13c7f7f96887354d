import { describe, expect, it } from 'vitest';
import { parseBindingToken, parseStatus, relativeReference } from './messages';
import { notification } from './testSupport';

describe('parseStatus', () => {
  it('reads an event notification as the hub writes it (absolute references)', () => {
    expect(parseStatus(notification('sub-1', 'event-notification', 7, [{ number: 7, focus: 'Bundle/0191-a' }]))).toEqual({
      subscription: 'sub-1',
      topic: 'http://renkei.example.jp/fhir/SubscriptionTopic/care-document',
      type: 'event-notification',
      eventsSinceStart: 7,
      events: [{ number: 7, timestamp: '2026-11-23T01:02:03.456Z', focus: { type: 'Bundle', id: '0191-a' } }],
    });
  });

  it('reads a handshake, and a replayed event without focus (no longer readable)', () => {
    expect(parseStatus(notification('s', 'handshake', 3))?.eventsSinceStart).toBe(3);
    expect(parseStatus(notification('s', 'query-event', 9, [{ number: 8 }, { number: 9, focus: 'Task/t1' }]))?.events).toEqual([
      { number: 8, timestamp: '2026-11-23T01:02:03.456Z' },
      { number: 9, timestamp: '2026-11-23T01:02:03.456Z', focus: { type: 'Task', id: 't1' } },
    ]);
  });

  it('gives nothing for what is not a SubscriptionStatus', () => {
    expect(parseStatus({ resourceType: 'OperationOutcome' })).toBeUndefined();
    expect(parseStatus({ resourceType: 'Bundle', entry: [{ resource: { resourceType: 'Patient' } }] })).toBeUndefined();
    expect(parseStatus(null)).toBeUndefined();
    const unknownType = notification('s', 'something', 1);
    expect(parseStatus(unknownType)).toBeUndefined();
  });
});

describe('relativeReference', () => {
  it('reads absolute, relative and versioned references', () => {
    expect(relativeReference('https://hub.example/fhir/Composition/abc')).toEqual({ type: 'Composition', id: 'abc' });
    expect(relativeReference('Task/t-1/_history/3')).toEqual({ type: 'Task', id: 't-1' });
    expect(relativeReference('urn:uuid:123')).toBeUndefined();
    expect(relativeReference(undefined)).toBeUndefined();
  });
});

describe('parseBindingToken', () => {
  it('reads the token and its expiry', () => {
    expect(
      parseBindingToken({
        resourceType: 'Parameters',
        parameter: [
          { name: 'token', valueString: 'abc' },
          { name: 'expiration', valueDateTime: '2026-11-23T01:07:03Z' },
          { name: 'subscription', valueString: 'http://h/fhir/Subscription/1' },
          { name: 'websocket-url', valueUrl: 'ws://h/notifications' },
        ],
      }),
    ).toEqual({ token: 'abc', expiresAt: Date.parse('2026-11-23T01:07:03Z') });
  });

  it('refuses an answer without a token', () => {
    expect(() => parseBindingToken({ resourceType: 'Parameters', parameter: [] })).toThrow();
  });
});
