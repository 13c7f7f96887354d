// The inbox's audible notice: a short two-note tone made with the Web Audio API (no audio file). Browsers let a page
// make sound only after a user gesture, so the AudioContext is made (or resumed) on the user's first click or key.

type AudioContextClass = typeof AudioContext;

export class Chime {
  private context: AudioContext | null = null;

  constructor(private readonly audio: AudioContextClass | undefined = typeof window === 'undefined' ? undefined : (window.AudioContext ?? (window as unknown as { webkitAudioContext?: AudioContextClass }).webkitAudioContext)) {}

  /** Whether this browser can play the tone at all. */
  get supported(): boolean {
    return Boolean(this.audio);
  }

  /** Call from a user gesture (click, key): makes sound possible from now on. */
  unlock(): boolean {
    if (!this.audio) return false;
    this.context ??= new this.audio();
    if (this.context.state === 'suspended') void this.context.resume();
    return true;
  }

  get unlocked(): boolean {
    return this.context !== null;
  }

  /** About 0.4 s: two soft sine notes (E6, then A5) with a short fade, quiet enough for a ward. */
  play(): void {
    const ctx = this.context;
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    [
      { frequency: 1318.5, at: 0 },
      { frequency: 880, at: 0.18 },
    ].forEach(({ frequency, at }) => {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + at);
      gain.gain.exponentialRampToValueAtTime(0.2, start + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + at + 0.2);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start + at);
      oscillator.stop(start + at + 0.22);
    });
  }

  close(): void {
    void this.context?.close();
    this.context = null;
  }
}
