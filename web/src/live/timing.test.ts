import { describe, expect, it } from 'vitest';
import { backoffDelay, extendsBinding, rebindDelay, silenceLimit } from './timing';

describe('rebindDelay', () => {
  it('re-binds 30 seconds before a binding of the realm (5 minutes) expires', () => {
    expect(rebindDelay(300_000, 0)).toBe(270_000);
    expect(rebindDelay(1_000_000 + 300_000, 1_000_000)).toBe(270_000);
  });

  it('re-binds halfway through a binding with less than a minute left, at once when it has expired', () => {
    expect(rebindDelay(40_000, 0)).toBe(20_000);
    expect(rebindDelay(6_000, 0)).toBe(3_000);
    expect(rebindDelay(1_000, 2_000)).toBe(0);
  });
});

describe('extendsBinding', () => {
  it('binds a token only when it outlives the current binding (a renewed access token)', () => {
    expect(extendsBinding(undefined, 10)).toBe(true);
    expect(extendsBinding(300_000, 300_000)).toBe(false);
    expect(extendsBinding(300_000, 303_000)).toBe(false);
    expect(extendsBinding(300_000, 540_000)).toBe(true);
  });
});

describe('backoffDelay', () => {
  it('doubles from one second up to thirty', () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, middle))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('spreads each wait by up to a fifth either way', () => {
    expect(backoffDelay(0, () => 0)).toBe(800);
    expect(backoffDelay(0, () => 0.999999)).toBe(1200);
    expect(backoffDelay(10, () => 0)).toBe(24000);
  });
});

describe('silenceLimit', () => {
  it('allows two heartbeat periods and a margin', () => {
    expect(silenceLimit(60)).toBe(135_000);
  });
});
