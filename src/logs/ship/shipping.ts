import type { LogShippingView, SinkStats } from '../../core/log-shipping.js';
import type { LogFeed, LogLine, LogStream } from '../../core/logs.js';
import type { Shipper } from './shipper.js';

/** The kinds of line `logs.ship.streams` chooses from. */
export type StreamKind = 'runtime' | 'apps' | 'services' | 'clusters' | 'hub';

export const streamKind = (stream: LogStream): StreamKind => {
  if (stream === 'runtime' || stream === 'hub') return stream;
  return stream.startsWith('app:') ? 'apps' : stream.startsWith('cluster:') ? 'clusters' : 'services';
};

/**
 * Every configured target's Shipper, fed from the LogFeed: each line of a chosen stream is offered to each
 * (queued, never awaited). Started after the hub listens; stopped last, sending what it can within a bound.
 */
export class LogShipping implements LogShippingView {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly feed: LogFeed,
    private readonly shippers: readonly Shipper[],
    private readonly streams: ReadonlySet<StreamKind>,
  ) {}

  start(): void {
    if (this.shippers.length === 0 || this.unsubscribe) return;
    this.unsubscribe = this.feed.subscribe((line: LogLine) => {
      if (!this.streams.has(streamKind(line.stream))) return;
      for (const s of this.shippers) s.offer(line);
    });
  }

  async stop(boundMs: number): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await Promise.all(this.shippers.map((s) => s.close(boundMs)));
  }

  stats(): SinkStats[] {
    return this.shippers.map((s) => s.stats());
  }
}
