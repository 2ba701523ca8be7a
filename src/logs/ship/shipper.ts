import { setImmediate as turn } from 'node:timers/promises';
import type { Clock } from '../../core/clock.js';
import type { DropReason, SinkStats } from '../../core/log-shipping.js';
import type { Logger } from '../../core/logger.js';
import type { LogLine } from '../../core/logs.js';
import { LineQueue } from './queue.js';
import { backoffMs, SinkError, type BatchSink } from './sink.js';

export interface ShipperOptions {
  queueLines: number;
  clock: Clock;
  log: Logger;
  /** Attempts per batch before it is dropped as send_failed (default 6: about 8 s of backoff). */
  maxAttempts?: number;
  /** Least time between two warnings of drops (default 60 s). */
  warnEveryMs?: number;
}

/**
 * One target's queue and sending loop. `offer` only queues (O(1), never waits), so the feed and the runtimes
 * behind it are never slowed by a target: a target that falls behind loses the newest lines, counted. One
 * batch is in flight at a time, so lines leave in the order they came.
 */
export class Shipper {
  private readonly queue: LineQueue<LogLine>;
  private readonly counts: Omit<SinkStats, 'sink' | 'queued'> = { shipped: 0, truncated: 0, dropped: { queue_full: 0, rejected: 0, send_failed: 0, closing: 0 } };
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closing = false;
  private lastWarnAt = -Infinity;
  private droppedSinceWarn = 0;

  constructor(
    private readonly sink: BatchSink,
    private readonly o: ShipperOptions,
  ) {
    this.queue = new LineQueue(o.queueLines);
  }

  offer(line: LogLine): void {
    if (this.closing) return;
    if (!this.queue.push(line)) return this.drop('queue_full', 1);
    if (this.queue.length >= this.sink.batchLines) this.wake?.();
    this.kick();
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop()
      // deliver() settles every batch itself; this only keeps an unforeseen fault from taking the hub down.
      .catch((err: unknown) => this.o.log.error({ err, sink: this.sink.name }, 'log shipping stopped sending a batch'))
      .finally(() => {
        this.running = null;
        // A line offered between the loop's last look at the queue and now would otherwise wait for the next one.
        if (this.queue.length > 0) this.kick();
      });
  }

  stats(): SinkStats {
    return { sink: this.sink.name, ...this.counts, dropped: { ...this.counts.dropped }, queued: this.queue.length };
  }

  /** Sends what it can within `boundMs`, then drops the rest (counted as closing) and closes the sink. */
  async close(boundMs: number): Promise<void> {
    this.closing = true;
    this.wake?.();
    const timer = setTimeout(() => this.stop.abort(), boundMs);
    while (this.running) await this.running;
    clearTimeout(timer);
    this.stop.abort();
    await this.sink.close().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.stop.signal.aborted) return this.drop('closing', this.queue.take(this.queue.length).length);
      if (!this.closing && this.sink.lingerMs > 0 && this.queue.length < this.sink.batchLines) await this.linger();
      const batch = this.queue.take(this.sink.batchLines);
      await this.deliver(batch);
      // Encoding is synchronous: a turn of the event loop between batches keeps the hub answering.
      await turn();
    }
  }

  private async deliver(batch: LogLine[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { truncated, failed } = await this.sink.send(batch, this.stop.signal);
        this.counts.shipped += batch.length - failed;
        this.counts.truncated += truncated;
        return this.drop('send_failed', failed);
      } catch (err) {
        if (this.stop.signal.aborted) return this.drop('closing', batch.length);
        const retry = !(err instanceof SinkError) || err.retry;
        if (!retry || attempt + 1 >= (this.o.maxAttempts ?? 6) || this.closing) {
          this.o.log.debug({ sink: this.sink.name, err: (err as Error).message }, 'log batch not shipped');
          return this.drop(retry ? 'send_failed' : 'rejected', batch.length);
        }
        await this.sleep(backoffMs(attempt));
      }
    }
  }

  /** Waits for a full batch or the linger time, whichever comes first (or close). */
  private linger(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.sink.lingerMs);
      this.wake = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.stop.signal.removeEventListener('abort', end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.stop.signal.addEventListener('abort', end, { once: true });
    });
  }

  /** Counts; warns when dropping starts, then at most once per warnEveryMs with the count since. */
  private drop(reason: DropReason, n: number): void {
    if (n === 0) return;
    this.counts.dropped[reason] += n;
    this.droppedSinceWarn += n;
    const now = this.o.clock.now();
    if (now - this.lastWarnAt < (this.o.warnEveryMs ?? 60_000)) return;
    this.o.log.warn({ sink: this.sink.name, reason, dropped: this.droppedSinceWarn }, 'log shipping is dropping lines (see nbhub_log_lines_dropped_total)');
    this.lastWarnAt = now;
    this.droppedSinceWarn = 0;
  }
}
