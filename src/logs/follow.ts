import { watch, type FSWatcher } from 'node:fs';
import { Tail, WATCH_COALESCE_MS } from './tail.js';

export interface FollowOptions {
  pollMs: number;
  /** Most bytes read in one go (logs.bytes_per_file). */
  maxBytes: number;
}

/**
 * Sends each whole line appended to `path` from byte `from` on until `signal` aborts: woken by fs.watch, with a
 * poll as the fallback (files on network mounts, a file not there yet). One read at a time; the event loop
 * gets a turn between reads.
 */
export const followFile = (path: string, from: number, o: FollowOptions, signal: AbortSignal, send: (lines: string[]) => void): void => {
  let tail: Tail | undefined;
  let busy = false;
  let soon = false;
  let again = false;
  let watcher: FSWatcher | undefined;
  const check = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      tail ??= await Tail.at(path, from);
      do {
        again = false;
        const got = await tail.pull(o.maxBytes);
        if (got.size >= 0 && !watcher && !signal.aborted) startWatch();
        if (got.lines.length > 0 && !signal.aborted) send(got.lines);
        if (got.more) again = true;
      } while (again && !signal.aborted);
    } catch {
      // The file went (the server was deleted): nothing more to send; the poll looks again.
    } finally {
      busy = false;
    }
  };
  const startWatch = () => {
    try {
      // Changes within WATCH_COALESCE_MS make one read (a runtime printing flat out changes its file all the time).
      watcher = watch(path, { persistent: false }, () => {
        if (soon) return;
        soon = true;
        setTimeout(() => {
          soon = false;
          void check();
        }, WATCH_COALESCE_MS).unref();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
  };
  const timer = setInterval(() => void check(), o.pollMs);
  timer.unref();
  signal.addEventListener(
    'abort',
    () => {
      clearInterval(timer);
      watcher?.close();
    },
    { once: true },
  );
  void check();
};
