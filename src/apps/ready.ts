import { request } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Listener } from '../core/spawner.js';

/** 'taken': another process listens at the app's port (it took it between the choice and the app's bind). */
export type AppReadyOutcome = 'ready' | 'timeout' | 'exited' | 'taken' | 'aborted';

/** GET without credentials: 2xx or 3xx is an app that serves (many apps answer / with a redirect). */
const probe = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 400);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

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
}): Promise<AppReadyOutcome> => {
  const deadline = o.clock.now() + o.timeoutMs;
  let ours = !o.listener;
  while (!o.signal.aborted) {
    if (!ours && o.listener) {
      const who = await o.listener();
      if (who === 'other') return 'taken';
      ours = who === 'runtime';
    }
    if (ours && (await probe(o.url))) return 'ready';
    if (await o.exited()) return 'exited';
    if (o.clock.now() >= deadline) return 'timeout';
    await pause(o.intervalMs ?? 50, o.signal);
  }
  return 'aborted';
};
