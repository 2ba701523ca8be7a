/**
 * The hub's clock as the console sees it. Times in the API (cull_at, stopped_at) are the hub's; a browser
 * whose clock is off would count down wrong. Every answer's Date header (whole seconds) bounds the offset:
 * the hub wrote it at a hub time in [date, date + 1 s) while the request was between sent and received.
 * The bounds of successive answers are intersected; when they stop overlapping (a clock was set), it starts over.
 */
export class HubClock {
  private lo = -Infinity;
  private hi = Infinity;

  note(dateHeader: string | null, sentAt: number, receivedAt: number): void {
    const date = dateHeader ? Date.parse(dateHeader) : NaN;
    if (!Number.isFinite(date) || receivedAt < sentAt) return;
    const lo = date - receivedAt;
    const hi = date + 1000 - sentAt;
    if (lo > this.hi || hi < this.lo) {
      this.lo = lo;
      this.hi = hi;
    } else {
      this.lo = Math.max(this.lo, lo);
      this.hi = Math.min(this.hi, hi);
    }
  }

  /** Hub time minus browser time, in ms (0 before any answer). */
  offset(): number {
    return Number.isFinite(this.lo) ? Math.round((this.lo + this.hi) / 2) : 0;
  }
}

export const hubClock = new HubClock();

/** Now, by the hub's clock as far as the console knows it. */
export const hubNow = (): number => Date.now() + hubClock.offset();
