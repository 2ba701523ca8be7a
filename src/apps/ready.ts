import type { Clock } from '../core/clock.js';
import { httpProbe, waitUntilReady, type ReadyOutcome } from '../core/readiness.js';
import type { Listener } from '../core/spawner.js';

/** 'taken': another process listens at the app's port (it took it between the choice and the app's bind). */
export type AppReadyOutcome = ReadyOutcome;

/**
 * Waits until the app answers its readiness URL, as the lifecycle waits for a runtime (lifecycle/readiness.ts),
 * without a token (apps get none) and taking redirects for an answer. With `listener`, the probe goes out only
 * once the app's own process listens, so another process on its port is never taken for it.
 */
export const waitAppReady = async (o: {
  url: string;
  timeoutMs: number;
  clock: Clock;
  signal: AbortSignal;
  exited: () => Promise<boolean>;
  listener?: (() => Promise<Listener>) | undefined;
  intervalMs?: number;
}): Promise<AppReadyOutcome> =>
  waitUntilReady({
    // Without credentials (apps get none); 2xx or 3xx is an app that serves (many answer / with a redirect).
    probe: () => httpProbe(o.url, { below: 400 }),
    timeoutMs: o.timeoutMs,
    clock: o.clock,
    signal: o.signal,
    exited: o.exited,
    listener: o.listener,
    intervalMs: o.intervalMs ?? 50,
  });
