// When to renew the socket's binding and when to try again after a lost connection: plain functions of time, so
// they are tested without a socket or a clock.

const SECOND = 1000;

/**
 * How long to wait before re-binding with a fresh binding token: 30 seconds before the binding expires, or halfway
 * through a binding that has less than a minute left. The app also re-binds as soon as its access token is renewed
 * (oidc-client-ts renews it a minute before it expires), which gives the new binding a longer life; this timer is
 * the fallback that keeps the binding if that renewal is late.
 */
export function rebindDelay(expiresAt: number, now: number): number {
  const left = expiresAt - now;
  if (left <= 0) {
    return 0;
  }
  const lead = Math.min(30 * SECOND, left / 2);
  return Math.max(0, Math.floor(left - lead));
}

/**
 * Whether a binding token that expires at {@code next} is worth binding on top of one that expires at
 * {@code current}: asking again with the same access token gives the same expiry, and re-binding with it would only
 * repeat itself until the access token is renewed.
 */
export function extendsBinding(current: number | undefined, next: number): boolean {
  return current === undefined || next > current + 5 * SECOND;
}

/**
 * The wait before reconnection attempt {@code attempt} (0 for the first): 1, 2, 4, 8, 16 then 30 seconds at most,
 * each spread by up to a fifth at random so that many browsers that lost the hub together do not return together.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30 * SECOND, SECOND * 2 ** Math.max(0, Math.min(attempt, 10)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** No message for this long (twice the heartbeat period and a margin) means the socket is dead without saying so. */
export function silenceLimit(heartbeatSeconds: number): number {
  return (2 * heartbeatSeconds + 15) * SECOND;
}
