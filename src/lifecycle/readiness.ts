import { request } from 'node:http';

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

export type ReadyOutcome = 'ready' | 'timeout' | 'exited' | 'aborted';

/**
 * Polls the runtime's readiness URL often (20 ms) so the hub adds little to the runtime's own start time;
 * stops early when the process exits or the wait is aborted.
 */
export const waitReady = async (options: {
  url: string;
  token: string;
  timeoutMs: number;
  signal: AbortSignal;
  exited: () => Promise<boolean>;
  intervalMs?: number;
}): Promise<ReadyOutcome> => {
  const deadline = Date.now() + options.timeoutMs;
  while (!options.signal.aborted) {
    if (await probe(options.url, options.token)) return 'ready';
    if (await options.exited()) return 'exited';
    if (Date.now() >= deadline) return 'timeout';
    await sleep(options.intervalMs ?? 20, options.signal);
  }
  return 'aborted';
};
