/**
 * What the monitor says about a store that fails, and when it writes again (a pure decision; the monitor
 * logs and waits). A store that is down fails every write of every agent: the operator is told once when it
 * starts, at most once a minute while it goes on (with how many writes failed), and once when it works again.
 */

/** The wait before the next try after `failures` failures in a row: doubling from `baseMs`, at most `capMs`. */
export const backoffMs = (failures: number, baseMs: number, capMs: number): number =>
  Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));

export type TroubleNote =
  | { say: 'failing' }
  | { say: 'still'; failures: number; forMs: number }
  | { say: 'recovered'; failures: number; forMs: number };

export class StoreTrouble {
  /** What fails now (an agent's writes, the lease round). */
  private readonly failing = new Set<string>();
  /** When the operator was told it fails, and not yet that it works again. */
  private toldAt: number | null = null;
  private lastSaid = -Infinity;
  private since = 0;
  private failures = 0;

  constructor(private readonly sayEveryMs = 60_000) {}

  failed(what: string, now: number): TroubleNote | null {
    this.failing.add(what);
    this.failures++;
    // A store that fails now and then says so no more often than one that stays down.
    if (now - this.lastSaid < this.sayEveryMs) return null;
    this.lastSaid = now;
    if (this.toldAt === null) {
      this.toldAt = this.since = now;
      this.failures = 1;
      return { say: 'failing' };
    }
    return { say: 'still', failures: this.failures, forMs: now - this.since };
  }

  /** `what` was written; once nothing fails any more, the store works again. */
  ok(what: string, now: number): TroubleNote | null {
    this.failing.delete(what);
    if (this.failing.size > 0 || this.toldAt === null) return null;
    const note: TroubleNote = { say: 'recovered', failures: this.failures, forMs: now - this.since };
    this.toldAt = null;
    this.failures = 0;
    return note;
  }

  /** `what` is not written any more (an agent no longer pulled): its failures no longer keep the store failing. */
  drop(what: string): void {
    this.failing.delete(what);
  }
}
