import type { Clock } from '../core/clock.js';
import { httpProbe, waitUntilReady, type ReadyOutcome } from '../core/readiness.js';
import { runtimeAuthHeaders } from '../core/runtime-auth.js';
import type { Listener } from '../core/spawner.js';

export type { ReadyOutcome };

/**
 * Polls the runtime's readiness URL often (20 ms) so the hub adds little to the runtime's own start time;
 * stops early when the process exits or the wait is aborted. With `listener` (the spawner's), the probe,
 * which carries the runtime's token, is sent only once the runtime's own process is the one listening:
 * another process that took the port would otherwise answer it and be proxied to as the runtime.
 */
export const waitReady = async (options: {
  url: string;
  token: string;
  timeoutMs: number;
  /** The hub's clock: the timeout counts on it (a test's manual clock controls it). */
  clock: Clock;
  signal: AbortSignal;
  exited: () => Promise<boolean>;
  listener?: (() => Promise<Listener>) | undefined;
  intervalMs?: number;
}): Promise<ReadyOutcome> =>
  waitUntilReady({
    probe: () => httpProbe(options.url, { headers: runtimeAuthHeaders(options.token), below: 300 }),
    timeoutMs: options.timeoutMs,
    clock: options.clock,
    signal: options.signal,
    exited: options.exited,
    listener: options.listener,
    intervalMs: options.intervalMs ?? 20,
  });
