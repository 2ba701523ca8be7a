import type { ExecutionRecord, ExecutionRepo } from '../core/executions.js';
import type { Logger } from '../core/logger.js';

const MAX_PENDING = 50_000;
const MAX_ATTEMPTS = 5;

/**
 * Writes executions behind the traffic: changes to a record between two flushes become one row write, and
 * each flush is one transaction, so a burst of cells costs the hub a few writes instead of several per cell.
 * Records are held by reference and copied at flush time, so the latest state is what gets written.
 */
export class ExecutionWriter {
  private pending = new Map<string, ExecutionRecord>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  /** Records not to be written yet (a finished one waiting for its cost): they stay pending. */
  private readonly held = new Set<string>();

  constructor(
    private readonly repo: ExecutionRepo,
    private readonly log: Logger,
    private readonly delayMs: number,
  ) {}

  put(record: ExecutionRecord): void {
    this.pending.set(record.id, record);
    if (this.pending.size > MAX_PENDING) {
      // The store has been failing for a long while: keep the hub's memory bounded rather than every record.
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.delayMs).unref();
  }

  /** Records whose latest changes are not written yet (held ones left out: their state is not whole). */
  unwritten(): ExecutionRecord[] {
    return [...this.pending.values()].filter((r) => !this.held.has(r.id));
  }

  /** Keeps the record's pending changes back until `release` (its state is not whole yet). */
  hold(id: string): void {
    this.held.add(id);
  }

  release(id: string): void {
    this.held.delete(id);
  }

  /** Writes what is pending now (and waits for a flush already under way). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    let batch = this.pending;
    if (this.held.size === 0) this.pending = new Map();
    else {
      batch = new Map([...this.pending].filter(([id]) => !this.held.has(id)));
      for (const id of batch.keys()) this.pending.delete(id);
    }
    if (batch.size === 0) return;
    const rows = [...batch.values()].map((r) => ({ ...r, candidates: [...r.candidates] }));
    this.flushing = this.repo.put(rows).then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => {
        this.failures++;
        this.log.error({ err, records: rows.length, attempt: this.failures }, 'executions: store write failed');
        if (this.failures >= MAX_ATTEMPTS) {
          this.failures = 0;
          return;
        }
        // Put back what no newer version replaced, and try again later.
        for (const [id, r] of batch) if (!this.pending.has(id)) this.pending.set(id, r);
        this.timer ??= setTimeout(() => void this.flush(), this.delayMs * 10).unref();
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  close(): Promise<void> {
    return this.flush();
  }
}
