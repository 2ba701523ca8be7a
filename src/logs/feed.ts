import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { LogFeed, LogFeedStats, LogFeedView, LogLine, LogStream } from '../core/logs.js';
import { logsRoot, ownerOfDir, parseLogName, POSITION } from './layout.js';
import { readMeta } from './starts.js';
import { Tail, WATCH_COALESCE_MS } from './tail.js';

export interface FeedOptions {
  dataDir: string;
  /** logs.bytes_per_file: rotation size, and the most read of one file in one pass. */
  bytesPerFile: number;
  pollMs: number;
  clock: Clock;
  log: Logger;
  /** Hub lines waiting for subscribers, at most (more are dropped and counted). */
  hubQueue?: number;
}

interface Followed {
  tail: Tail;
  labels: Omit<LogLine, 'at' | 'line'>;
  saved: number;
  savedAt: number;
  watcher?: FSWatcher | undefined;
  busy: boolean;
  again: boolean;
  /** A pass asked by the file system is waiting (a runtime printing flat out changes its file thousands of times a second). */
  soon: boolean;
}

const RESCAN_EVERY = 10;
/**
 * A position is written at most this often per file (and at stop): a hub killed in between publishes up to
 * that much again, rather than a write per line for a runtime printing flat out.
 */
const SAVE_EVERY_MS = 1000;

/**
 * The hub's LogFeed: follows the log file of every runtime, app, managed service and cluster process start as it grows (the same Tail the API's
 * follow uses), publishes each line with its labels, rotates a file past logs.bytes_per_file, and keeps how far
 * it has read in a `.pos` beside each file, so a restarted hub does not publish old lines again. The hub's own
 * lines come in through `offerHub` (the pino destination) and go out on the next turn of the event loop.
 */
export class FileLogFeed implements LogFeed, LogFeedView {
  private readonly listeners = new Set<(line: LogLine) => void>();
  private readonly followed = new Map<string, Followed>();
  private readonly hub: string[] = [];
  private hubScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private passes = 0;
  private closed = false;
  /** Hub lines dropped because subscribers were behind. */
  droppedHubLines = 0;
  /** Bytes of runtime output rotated away before they were read (written faster than bytes_per_file a pass). */
  skippedBytes = 0;

  constructor(private readonly o: FeedOptions) {}

  stats(): LogFeedStats {
    return { skippedBytes: this.skippedBytes, droppedHubLines: this.droppedHubLines };
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.rescan();
    this.timer = setInterval(() => void this.tick(), this.o.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const f of this.followed.values()) f.watcher?.close();
    await Promise.all([...this.followed].map(([path, f]) => this.save(path, f, true)));
    this.followed.clear();
  }

  /** A file a runtime, an app or a service is about to write (LocalLogFiles tells at each start). */
  track(path: string): void {
    if (this.closed || this.followed.has(path)) return;
    void this.follow(path).catch((err: unknown) => this.o.log.warn({ err, path }, 'logs: cannot follow a log file'));
  }

  /** One chunk from pino (one JSON record per line); never blocks the caller. */
  offerHub(chunk: string): void {
    if (this.listeners.size === 0) return;
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      if (this.hub.length >= (this.o.hubQueue ?? 10_000)) this.droppedHubLines += 1;
      else this.hub.push(line);
    }
    if (!this.hubScheduled && this.hub.length > 0) {
      this.hubScheduled = true;
      setImmediate(() => this.flushHub());
    }
  }

  private flushHub(): void {
    this.hubScheduled = false;
    const lines = this.hub.splice(0);
    const at = this.o.clock.now();
    for (const line of lines) this.publish({ at, stream: 'hub', user: '', server: '', profile: '', line });
  }

  private publish(line: LogLine): void {
    for (const l of this.listeners) {
      try {
        l(line);
      } catch (err) {
        // A subscriber's fault is its own: the others still get the line (no logging here: it would loop).
        void err;
      }
    }
  }

  private async tick(): Promise<void> {
    this.passes += 1;
    if (this.passes % RESCAN_EVERY === 0) await this.rescan().catch((err: unknown) => this.o.log.warn({ err }, 'logs: cannot scan the log directory'));
    await Promise.all([...this.followed.keys()].map((p) => this.pass(p)));
  }

  /** Follows the files of each server's, service's and cluster's latest start; lets go of those of older starts and deleted ones. */
  private async rescan(): Promise<void> {
    const root = logsRoot(this.o.dataDir);
    const latest = new Set<string>();
    for (const user of await readdir(root).catch(() => [] as string[])) {
      for (const server of await readdir(join(root, user)).catch(() => [] as string[])) {
        const dir = join(root, user, server);
        const logs = (await readdir(dir).catch(() => [] as string[])).flatMap((n) => {
          const p = parseLogName(n);
          return p?.kind === 'log' && p.suffix === '' ? [{ name: n, start: Number(p.start) }] : [];
        });
        const newest = Math.max(...logs.map((l) => l.start));
        for (const l of logs) if (l.start === newest) latest.add(join(dir, l.name));
      }
    }
    for (const [path, f] of this.followed) {
      if (!latest.has(path)) {
        // Read to the end first: an older start's runtime may have written its last lines just before.
        await this.pass(path);
        f.watcher?.close();
        this.followed.delete(path);
      }
    }
    for (const path of latest) this.track(path);
  }

  private async follow(path: string): Promise<void> {
    const dir = dirname(path);
    const name = parseLogName(basename(path));
    if (!name || name.kind !== 'log') return;
    const saved = Number(await readFile(path + POSITION, 'utf8').catch(() => '0')) || 0;
    const owner = ownerOfDir(basename(dirname(dir)), basename(dir));
    const labels: Followed['labels'] =
      owner.kind === 'service'
        ? { stream: `service:${owner.service}`, user: '', server: '', profile: '' }
        : owner.kind === 'cluster'
          ? // One stream per cluster, its process as a label of its own: a collector groups by either.
            { stream: `cluster:${owner.cluster}`, user: '', server: '', profile: '', process: name.stream.slice('process:'.length) }
          : // A server's folder holds runtime and app streams only (layout.ts).
            { stream: name.stream as LogStream, user: owner.user, server: owner.server, profile: (await readMeta(dir, name.start))?.profile ?? '' };
    const f: Followed = {
      tail: await Tail.at(path, saved),
      labels,
      saved,
      savedAt: 0,
      busy: false,
      again: false,
      soon: false,
    };
    if (this.closed || this.followed.has(path)) return;
    this.followed.set(path, f);
    try {
      f.watcher = watch(path, { persistent: false }, () => this.passSoon(path, f));
      f.watcher.on('error', () => f.watcher?.close());
    } catch {
      // The poll reads it.
    }
    await this.pass(path);
  }

  private passSoon(path: string, f: Followed): void {
    if (f.soon) return;
    f.soon = true;
    setTimeout(() => {
      f.soon = false;
      void this.pass(path);
    }, WATCH_COALESCE_MS).unref();
  }

  private async save(path: string, f: Followed, now: boolean): Promise<void> {
    if (f.tail.pos === f.saved || (!now && this.o.clock.now() - f.savedAt < SAVE_EVERY_MS)) return;
    const pos = f.tail.pos;
    await writeFile(path + POSITION, String(pos)).catch(() => undefined);
    f.saved = pos;
    f.savedAt = this.o.clock.now();
  }

  /**
   * Reads what is new in one file, at most bytes_per_file a pass (in chunks), publishes it, rotates past the
   * limit. More left: the next pass (the poll, or the file system's next word) goes on.
   */
  private async pass(path: string): Promise<void> {
    const f = this.followed.get(path);
    if (!f) return;
    if (f.busy) {
      f.again = true;
      return;
    }
    f.busy = true;
    let budget = this.o.bytesPerFile;
    try {
      if (this.listeners.size === 0) {
        // Nobody takes the lines (nothing ships): only keep the file within its bound, read nothing.
        const size = await f.tail.skipToEnd();
        if (size > this.o.bytesPerFile) await f.tail.rotate(this.o.bytesPerFile);
        await this.save(path, f, size > this.o.bytesPerFile);
        return;
      }
      do {
        f.again = false;
        const before = f.tail.pos;
        const got = await f.tail.pull(budget);
        budget -= Math.max(0, f.tail.pos - before);
        const at = this.o.clock.now();
        for (const line of got.lines) this.publish({ at, ...f.labels, line });
        if (got.size > this.o.bytesPerFile) {
          // Past the limit: what was not read yet is skipped up to the kept tail, whose lines go out now.
          const rest = await f.tail.rotate(this.o.bytesPerFile);
          const at = this.o.clock.now();
          for (const line of rest.lines) this.publish({ at, ...f.labels, line });
          if (rest.skipped > 0) this.skippedBytes += rest.skipped;
          // At once: a position past the emptied file's new end would skip what is written next.
          await this.save(path, f, true);
        } else if (got.more) f.again = true;
        await this.save(path, f, false);
      } while (f.again && budget > 0 && !this.closed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.o.log.warn({ err, path }, 'logs: cannot read a log file');
    } finally {
      f.busy = false;
    }
  }
}
