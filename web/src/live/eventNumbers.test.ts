import { describe, expect, it } from 'vitest';
import { EventNumbers } from './eventNumbers';

describe('EventNumbers', () => {
  it('accepts each number once, in any order, and ignores numbers before its baseline', () => {
    const numbers = new EventNumbers(2);
    expect(numbers.accept(2)).toBe(false);
    expect(numbers.accept(4)).toBe(true);
    expect(numbers.accept(3)).toBe(true);
    expect(numbers.accept(4)).toBe(false);
    expect(numbers.accept(3)).toBe(false);
    expect(numbers.last).toBe(4);
  });

  it('names the missing range below a later event, then nothing once it arrived', () => {
    const numbers = new EventNumbers(0);
    numbers.accept(1);
    numbers.accept(4);
    expect(numbers.missing()).toEqual({ from: 2, to: 3 });
    numbers.accept(2);
    numbers.accept(3);
    expect(numbers.missing()).toBeUndefined();
  });

  it('names events a handshake or heartbeat counts but that never arrived (a reconnect, a dropped message)', () => {
    const numbers = new EventNumbers(5);
    numbers.announce(5);
    expect(numbers.missing()).toBeUndefined();
    numbers.announce(8);
    expect(numbers.missing()).toEqual({ from: 6, to: 8 });
    numbers.accept(7);
    expect(numbers.missing()).toEqual({ from: 6, to: 6 });
    numbers.accept(6);
    expect(numbers.missing()).toEqual({ from: 8, to: 8 });
  });

  it('can skip numbers the hub has nothing for, so a catch-up does not ask forever', () => {
    const numbers = new EventNumbers(0);
    numbers.announce(3);
    numbers.skipTo(3);
    expect(numbers.missing()).toBeUndefined();
    expect(numbers.accept(3)).toBe(false);
    expect(numbers.accept(4)).toBe(true);
  });

  it('refuses numbers that are not positive integers', () => {
    const numbers = new EventNumbers(0);
    expect(numbers.accept(Number.NaN)).toBe(false);
    expect(numbers.accept(1.5)).toBe(false);
    expect(numbers.accept(0)).toBe(false);
  });
});
