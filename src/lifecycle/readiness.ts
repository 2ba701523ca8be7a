import { request } from 'node:http';
import type { Clock } from '../core/clock.js';
import type { Listener } from '../core/spawner.js';

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const t = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });

const probe = (url: string, token: string): Promise<boolean> =>
  new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: { authorization: `token ${token}` }, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });

/** 'taken': another process listens at the runtime's address (it took the port), so the runtime never will. */
export type ReadyOutcome = 'ready' | 'timeout' | 'exited' | 'taken' | 'aborted';

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
}): Promise<ReadyOutcome> => {
  const deadline = options.clock.now() + options.timeoutMs;
  // Once the runtime holds the listening socket, nobody else can take the port while it lives.
  let ours = !options.listener;
  while (!options.signal.aborted) {
    if (!ours && options.listener) {
      const who = await options.listener();
      if (who === 'other') return 'taken';
      ours = who === 'runtime';
    }
    if (ours && (await probe(options.url, options.token))) return 'ready';
    if (await options.exited()) return 'exited';
    if (options.clock.now() >= deadline) return 'timeout';
    await sleep(options.intervalMs ?? 20, options.signal);
  }
  return 'aborted';
};
