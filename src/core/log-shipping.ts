/**
 * Log shipping (issue 18): every log line of the feed (core/logs.ts) offered to each configured target (a
 * sink: GELF over UDP or TCP, Loki). What a sink could not take is dropped and counted, never waited for.
 */

/**
 * Why a line was not shipped. `queue_full`: the target fell behind and its queue was full (the newest lines are
 * dropped); `rejected`: the target refused the batch (Loki 4xx); `send_failed`: the target stayed unreachable
 * through every retry; `closing`: the hub stopped before it could send them.
 */
export type DropReason = 'queue_full' | 'rejected' | 'send_failed' | 'closing';

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'rejected', 'send_failed', 'closing'];

/** One target's counters since the hub started. */
export interface SinkStats {
  /** The target, as metrics label it (`gelf+udp://host:port`, `loki+http://host:port/…`). */
  sink: string;
  shipped: number;
  dropped: Record<DropReason, number>;
  /** Lines shipped cut short (a GELF UDP message that needed more than 128 chunks). */
  truncated: number;
  /** Lines waiting now. */
  queued: number;
}

/** What /hub/metrics reads of the shipping. */
export interface LogShippingView {
  stats(): SinkStats[];
}
