import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { keyOf, type RecordIndex } from './record-index.js';

/** The later of two last activities (null: none seen). */
export const later = (a: number | null, b: number | null | undefined): number | null => (a === null ? (b ?? null) : Math.max(a, b ?? a));

/**
 * Last activity: the proxy's touches are served from the records in memory at once, and written to the
 * store in batches (`flush`), for the servers whose activity in memory is ahead of the stored one.
 */
export class ActivityBook {
  private readonly dirty = new Set<string>();

  constructor(private readonly o: { index: RecordIndex; store: Store; log: Logger }) {}

  touch(user: string, server: string, at: number): void {
    const key = keyOf(user, server);
    const rec = this.o.index.at(key);
    if (!rec || (rec.lastActivity ?? 0) >= at) return;
    rec.lastActivity = at;
    this.dirty.add(key);
  }

  /** The activity in memory is ahead of the store's: written at the next flush. */
  ahead(key: string): void {
    this.dirty.add(key);
  }

  /** The whole record was just written, its activity with it. */
  written(key: string): void {
    this.dirty.delete(key);
  }

  /**
   * Activity only moves the stored last activity forward, and not the record's version: the proxies of
   * several instances may see the same server, and its owner's culler reads theirs from the store.
   */
  async flush(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      keys.map(async (k) => {
        const rec = this.o.index.at(k);
        if (rec?.lastActivity != null) await this.o.store.servers.noteActivity(rec.user, rec.name, rec.lastActivity);
      }),
    ).catch((err: unknown) => this.o.log.error({ err }, 'cannot persist activity'));
  }
}
