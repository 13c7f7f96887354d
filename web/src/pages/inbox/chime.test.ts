import { describe, expect, it } from 'vitest';
import { Chime } from './chime';

/** An AudioContext that records the tones it is asked to make. */
function fakeAudio() {
  const tones: number[] = [];
  let made = 0;
  class FakeContext {
    state = 'suspended';
    currentTime = 0;
    destination = {};
    constructor() {
      made++;
    }
    resume() {
      this.state = 'running';
      return Promise.resolve();
    }
    close() {
      return Promise.resolve();
    }
    createOscillator() {
      const oscillator = { type: '', frequency: { value: 0 }, connect: (g: unknown) => g, start: () => tones.push(oscillator.frequency.value), stop: () => {} };
      return oscillator;
    }
    createGain() {
      const gain = { gain: { setValueAtTime: () => {}, exponentialRampToValueAtTime: () => {} }, connect: (d: unknown) => d };
      return gain;
    }
  }
  return { Audio: FakeContext as unknown as typeof AudioContext, tones, made: () => made };
}

describe('Chime (the inbox\'s audible notice)', () => {
  it('is silent until a user gesture unlocks it, then plays two notes', () => {
    const audio = fakeAudio();
    const chime = new Chime(audio.Audio);
    expect(chime.supported).toBe(true);
    chime.play();
    expect(audio.tones, 'no sound before a gesture (browsers forbid it)').toEqual([]);
    expect(chime.unlock()).toBe(true);
    expect(chime.unlocked).toBe(true);
    chime.play();
    expect(audio.tones).toEqual([1318.5, 880]);
    chime.unlock();
    expect(audio.made(), 'one AudioContext for the page').toBe(1);
  });

  it('says so when the browser has no Web Audio', () => {
    const chime = new Chime(undefined);
    expect(chime.supported).toBe(false);
    expect(chime.unlock()).toBe(false);
    chime.play();
  });
});
