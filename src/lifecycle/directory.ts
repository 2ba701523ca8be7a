import type { AppRuntime, AppRuntimes, RuntimePorts } from '../core/apps.js';
import type { ServerRecord } from '../core/models.js';
import type { RouteEntry } from '../core/routes.js';
import type { ServerDirectory } from '../core/servers.js';
import type { RunningRuntime } from '../core/usage.js';
import type { ActivityBook } from './activity.js';
import { parseLaunchRecord } from './launch-record.js';
import { keyOf, type RecordIndex } from './record-index.js';

/**
 * The directory of servers: the records in memory (record-index.ts) as the API, the proxy's route table,
 * the samplers and the culler read them, and the activity the hub sees (activity.ts). It only reads and
 * notes activity; requests.ts and reconciler.ts change the records.
 */
export class Directory implements ServerDirectory, RuntimePorts, AppRuntimes {
  constructor(
    private readonly index: RecordIndex,
    private readonly activity: ActivityBook,
    private readonly ports: RuntimePorts,
  ) {}

  get(user: string, name: string): ServerRecord | undefined {
    return this.index.get(user, name);
  }

  serversOf(user: string): ServerRecord[] {
    return this.index.serversOf(user);
  }

  all(): ServerRecord[] {
    return this.index.all();
  }

  resolve(user: string, firstSegment: string | undefined): RouteEntry | undefined {
    return this.index.resolve(user, firstSegment);
  }

  /** A running server's spawner handle and profile, for its named apps (apps/): only while it is running. */
  runtimeOf(user: string, server: string): AppRuntime | undefined {
    const rec = this.index.get(user, server);
    const launch = rec?.state === 'running' ? parseLaunchRecord(rec.handle) : null;
    if (!rec || !launch) return undefined;
    return { profile: rec.profile, handle: launch.spawner, started: rec.started ?? 0 };
  }

  running(): RunningRuntime[] {
    return this.index.running();
  }

  touch(user: string, server: string, at: number): void {
    this.activity.touch(user, server, at);
  }

  /** Which origin serves `port` of a running server (its own processes only, on a shared machine). */
  portTarget(user: string, server: string, port: number): Promise<string | null> {
    return this.ports.portTarget(user, server, port);
  }

  waitFor(user: string, name: string, pred: (r: ServerRecord | undefined) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<ServerRecord | undefined> {
    return this.index.waitFor(keyOf(user, name), pred, timeoutMs, signal);
  }

  /** The part `owner` acts on: the culler of an instance judges (and stops) only the servers it owns. */
  ownedBy(owner: string): Pick<ServerDirectory, 'all' | 'running' | 'get' | 'touch'> {
    return {
      all: () => this.all().filter((r) => r.owner === owner),
      running: () => this.running().filter((r) => this.index.get(r.user, r.server)?.owner === owner),
      get: (user, name) => this.get(user, name),
      touch: (user, server, at) => this.touch(user, server, at),
    };
  }
}
