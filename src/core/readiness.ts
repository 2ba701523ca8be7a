import { request } from 'node:http';
import type { Clock } from './clock.js';
import type { Listener } from './spawner.js';

/** 'taken': another process listens at the address (it took the port), so the awaited process never will. */
export type ReadyOutcome = 'ready' | 'timeout' | 'exited' | 'taken' | 'aborted';

/** Waits `ms`, or less when `signal` aborts (and leaves no listener behind either way). */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const t = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });

/** One GET: whether the answer's status is under `below` (a connection refused or a timeout: no). */
export const httpProbe = (url: string, o: { headers?: Record<string, string>; below: number }): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: o.headers ?? {}, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < o.below);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });

/**
 * Waits until `probe` says ready (a runtime, a named app), stopping early when the process exits or the wait
 * is aborted. With `listener` (the spawner's), the probe goes out only once the awaited process is the one
 * listening: another process that took the port would otherwise answer and be taken for it.
 */
export const waitUntilReady = async (o: {
  probe: () => Promise<boolean>;
  timeoutMs: number;
  /** The hub's clock: the timeout counts on it (a test's manual clock controls it). */
  clock: Clock;
  signal: AbortSignal;
  exited: () => Promise<boolean>;
  listener?: (() => Promise<Listener>) | undefined;
  intervalMs: number;
}): Promise<ReadyOutcome> => {
  const deadline = o.clock.now() + o.timeoutMs;
  // Once the process holds the listening socket, nobody else can take the port while it lives.
  let ours = !o.listener;
  while (!o.signal.aborted) {
    if (!ours && o.listener) {
      const who = await o.listener();
      if (who === 'other') return 'taken';
      ours = who === 'runtime';
    }
    if (ours && (await o.probe())) return 'ready';
    if (await o.exited()) return 'exited';
    if (o.clock.now() >= deadline) return 'timeout';
    await sleep(o.intervalMs, o.signal);
  }
  return 'aborted';
};
