/**
 * The event numbers of one Subscription that this client has handled. The hub numbers each Subscription's events
 * 1, 2, 3, … (docs/notifications.md, "Detecting gaps"); events reach the client on the socket and, after a gap or a
 * reconnect, from `$events`, in any order between the two. This remembers which numbers were handled, so each event
 * is handled once, and says which numbers are still missing.
 */
export class EventNumbers {
  /** every number up to this one has been handled (or was there before this client started) */
  private contiguous: number;
  /** numbers above {@link contiguous} already handled */
  private readonly above = new Set<number>();
  /** the highest number the hub said exists (an event, a handshake's or heartbeat's count) */
  private announced: number;

  constructor(baseline = 0) {
    this.contiguous = baseline;
    this.announced = baseline;
  }

  /** True the first time a number is seen; false for a duplicate (already handled, or before the baseline). */
  accept(number: number): boolean {
    if (!Number.isInteger(number) || number <= this.contiguous || this.above.has(number)) {
      return false;
    }
    this.above.add(number);
    this.announced = Math.max(this.announced, number);
    while (this.above.delete(this.contiguous + 1)) {
      this.contiguous += 1;
    }
    return true;
  }

  /**
   * A handshake or heartbeat said how many events the Subscription has had (`events-since-subscription-start`);
   * a count above what was handled means events were missed.
   */
  announce(count: number): void {
    if (Number.isInteger(count)) {
      this.announced = Math.max(this.announced, count);
    }
  }

  /** Numbers up to {@code number} are accounted for without an event: `$events` has nothing for them. */
  skipTo(number: number): void {
    while (this.contiguous < number) {
      this.contiguous += 1;
      this.above.delete(this.contiguous);
    }
  }

  /** The first missing range [from, to] to ask `$events` for, or undefined when nothing is missing. */
  missing(): { from: number; to: number } | undefined {
    if (this.announced <= this.contiguous) {
      return undefined;
    }
    const from = this.contiguous + 1;
    let to = from;
    while (to < this.announced && !this.above.has(to + 1)) {
      to += 1;
    }
    return { from, to };
  }

  get last(): number {
    return this.contiguous;
  }
}
