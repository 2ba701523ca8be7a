import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { KeptStream, LogFiles } from '../core/logs.js';
import { clusterLogDir, parseClusterStream, logName, metaName, nextStartId, parseLogName, serverLogDir, serviceLogDir } from './layout.js';
import { startsToDelete } from './retention.js';
import { startIdsSync, type StartMeta } from './starts.js';

export interface LogFilesOptions {
  dataDir: string;
  clock: Clock;
  startsKept: number;
  bytesPerServer: number;
  /** Told of each file a runtime, app or service is about to write (the feed follows it at once). */
  opened?: ((path: string) => void) | undefined;
}

/** The log files of starts (of servers, managed services and clusters): a new set per start, older starts dropped past the limits (logs.*). */
export class LocalLogFiles implements LogFiles {
  constructor(private readonly o: LogFilesOptions) {}

  newStart(s: { user: string; server: string; profile: string }): string {
    return this.begin(serverLogDir(this.o.dataDir, s.user, s.server), ['runtime'], s.profile)[0] as string;
  }

  serviceStart(service: string): string {
    return this.begin(serviceLogDir(this.o.dataDir, service), ['service'], '')[0] as string;
  }

  clusterStart(cluster: string, processes: readonly string[]): Record<string, string> {
    const bad = processes.find((p) => parseClusterStream(`process:${p}`) === null);
    if (bad !== undefined) throw new Error(`a cluster process's name must be lower-case letters, digits and '-': ${JSON.stringify(bad)}`);
    const paths = this.begin(clusterLogDir(this.o.dataDir, cluster), processes.map((p): KeptStream => `process:${p}`), '');
    return Object.fromEntries(processes.map((p, i) => [p, paths[i] as string]));
  }

  removeCluster(cluster: string): void {
    rmSync(clusterLogDir(this.o.dataDir, cluster), { recursive: true, force: true });
  }

  /** A new start in `dir`: its labels and an empty log per stream; older starts past the limits go first. */
  private begin(dir: string, streams: readonly KeptStream[], profile: string): string[] {
    mkdirSync(dir, { recursive: true });
    const existing = startIdsSync(dir);
    const now = this.o.clock.now();
    const id = nextStartId(now, existing.at(-1)?.id);
    deleteStarts(dir, startsToDelete([...existing, { id, bytes: 0 }], this.o.startsKept, this.o.bytesPerServer));
    const meta: StartMeta = { profile, started_at: now };
    writeFileSync(join(dir, metaName(id)), JSON.stringify(meta));
    return streams.map((stream) => {
      const path = join(dir, logName(id, stream));
      writeFileSync(path, '', { flag: 'a' });
      this.o.opened?.(path);
      return path;
    });
  }

  appLog(user: string, server: string, app: string): string {
    const dir = serverLogDir(this.o.dataDir, user, server);
    const latest = startIdsSync(dir).at(-1)?.id;
    // An app runs inside a runtime, whose start made the directory; without one it gets a start of its own.
    const start = latest ?? nextStartId(this.o.clock.now(), undefined);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, logName(start, `app:${app}`));
    writeFileSync(path, '', { flag: 'a' });
    this.o.opened?.(path);
    return path;
  }
}

/** Deletes every file of the given starts (logs, rotated parts, positions, labels). */
export const deleteStarts = (dir: string, ids: readonly string[]): void => {
  if (ids.length === 0) return;
  const gone = new Set(ids);
  for (const name of readdirSync(dir)) {
    const parsed = parseLogName(name);
    if (parsed && gone.has(parsed.start)) rmSync(join(dir, name), { force: true });
  }
};
