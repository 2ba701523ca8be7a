import type { AuditEvent, AuditRecord, AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AuditRepo } from '../core/store.js';

export interface StoredTrailOptions {
  repo: AuditRepo;
  clock: Clock;
  log: Logger;
  /** monitoring.retention.audit_days */
  retentionDays: number;
  /** How long events wait to be written together (a burst of events is one statement). */
  batchMs?: number;
  /** How often old events are dropped. */
  pruneEveryMs?: number;
}

const DAY_MS = 86_400_000;
/** Past this many waiting events (the store down for long) the oldest are dropped, counted in the log. */
const MAX_PENDING = 10_000;

/** The event's subject, who asked, and the rest (what the row keeps as JSON). */
export const toRecord = (e: AuditEvent, time: number): Omit<AuditRecord, 'id'> => {
  const { event, user, ...rest } = e;
  const { by, ...data } = rest as { by?: string } & Record<string, unknown>;
  return { time, event, user, by: by ?? null, data };
};

/**
 * The audit trail in the store: `record` queues the event (stamped now) and a timer writes the queue in one
 * statement, so a request never waits for the write nor fails with it. A failed write is logged and its events are
 * kept for the next one (up to MAX_PENDING).
 */
export class StoredAuditTrail implements AuditTrail {
  private pending: Array<Omit<AuditRecord, 'id'>> = [];
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly o: StoredTrailOptions) {}

  record(e: AuditEvent): void {
    this.pending.push(toRecord(e, this.o.clock.now()));
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.splice(0, this.pending.length - MAX_PENDING);
      this.o.log.error({ dropped: dropped.length }, 'audit trail: store unavailable, oldest events dropped');
    }
    this.timer ??= setTimeout(() => void this.flush(), this.o.batchMs ?? 100);
  }

  /** Writes what is queued (after any write in progress); never rejects. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(async () => {
      const batch = this.pending;
      if (batch.length === 0) return;
      this.pending = [];
      try {
        await this.o.repo.append(batch);
      } catch (err) {
        this.o.log.error({ err, events: batch.length }, 'audit trail: write failed, kept for the next one');
        this.pending = [...batch, ...this.pending];
        this.timer ??= setTimeout(() => void this.flush(), 5_000).unref();
      }
    });
    return this.writing;
  }

  async start(): Promise<void> {
    const prune = () =>
      void this.o.repo
        .prune(this.o.clock.now() - this.o.retentionDays * DAY_MS)
        .catch((err: unknown) => this.o.log.error({ err }, 'audit trail: pruning failed'));
    prune();
    this.pruner = setInterval(prune, this.o.pruneEveryMs ?? 3_600_000).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.pruner);
    await this.flush();
  }
}
