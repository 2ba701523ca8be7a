import type { LogLine } from '../../core/logs.js';

/**
 * A target that takes batches of lines (GELF over UDP or TCP, Loki). The Shipper queues for it, sends one
 * batch at a time, retries what it may and counts the rest; the sink only encodes and sends.
 */
export interface BatchSink {
  /** The target as metrics and the log name it (`gelf+udp://127.0.0.1:12201`). */
  readonly name: string;
  /** Most lines per send. */
  readonly batchLines: number;
  /** How long a batch that is not full waits for more lines (0: sent at once). */
  readonly lingerMs: number;
  /**
   * Sends the batch in order. Resolves with how many lines were cut short to fit and how many could not be
   * sent and are not worth sending again (a UDP datagram refused); throws a SinkError (anything else is taken
   * as retryable) when the batch did not go out. `signal` aborts it when the hub stops.
   */
  send(lines: readonly LogLine[], signal: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendResult {
  truncated: number;
  failed: number;
}

/** A batch that did not go out: `retry` false when sending it again cannot help (Loki's 4xx). */
export class SinkError extends Error {
  override readonly name = 'SinkError';
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** Exponential backoff before attempt `attempt + 1` (pure): 250 ms, doubling, at most `capMs`. */
export const backoffMs = (attempt: number, capMs = 8_000): number => Math.min(capMs, 250 * 2 ** attempt);
