import { EventEmitter } from 'node:events';
import type { ServerRecord } from '../core/models.js';
import type { RouteEntry } from '../core/routes.js';
import type { Spawner } from '../core/spawner.js';
import type { RunningRuntime } from '../core/usage.js';
import { serverPath } from '../core/urls.js';
import { parseLaunchRecord } from './launch-record.js';

export const keyOf = (user: string, name: string) => `${user}\u0000${name}`;

/**
 * The server records held in memory, by key and by user: what the API, the proxy's route table and the
 * runtime directory read. It only keeps them; the lifecycle and the sharing decide what goes in, and say
 * when a record changed (`changed`) so that `waitFor` callers look again.
 */
export class RecordIndex {
  private readonly records = new Map<string, ServerRecord>();
  private readonly byUser = new Map<string, Map<string, ServerRecord>>();
  private readonly events = new EventEmitter();

  constructor(private readonly spawner: Pick<Spawner, 'rootPid'>) {
    this.events.setMaxListeners(0);
  }

  at(key: string): ServerRecord | undefined {
    return this.records.get(key);
  }

  get(user: string, name: string): ServerRecord | undefined {
    return this.records.get(keyOf(user, name));
  }

  serversOf(user: string): ServerRecord[] {
    return [...(this.byUser.get(user)?.values() ?? [])];
  }

  all(): ServerRecord[] {
    return [...this.records.values()];
  }

  keys(): string[] {
    return [...this.records.keys()];
  }

  entries(): [string, ServerRecord][] {
    return [...this.records];
  }

  resolve(user: string, firstSegment: string | undefined): RouteEntry | undefined {
    const servers = this.byUser.get(user);
    const rec = (firstSegment ? servers?.get(firstSegment) : undefined) ?? servers?.get('');
    if (!rec) return undefined;
    const ready = rec.state === 'running';
    return { user, server: rec.name, state: rec.state, target: ready ? rec.target : null, token: ready ? rec.runtimeToken : null };
  }

  running(): RunningRuntime[] {
    const out: RunningRuntime[] = [];
    for (const r of this.records.values()) {
      const launch = r.state === 'running' ? parseLaunchRecord(r.handle) : null;
      if (!launch || !r.target || !r.runtimeToken) continue;
      out.push({ user: r.user, server: r.name, profile: r.profile, rootPid: this.spawner.rootPid(launch.spawner), target: r.target, baseUrl: serverPath(r.user, r.name), token: r.runtimeToken });
    }
    return out;
  }

  remember(rec: ServerRecord): void {
    this.records.set(keyOf(rec.user, rec.name), rec);
    let m = this.byUser.get(rec.user);
    if (!m) this.byUser.set(rec.user, (m = new Map()));
    m.set(rec.name, rec);
  }

  forget(key: string): void {
    const rec = this.records.get(key);
    if (!rec) return;
    this.records.delete(key);
    const m = this.byUser.get(rec.user);
    m?.delete(rec.name);
    if (m?.size === 0) this.byUser.delete(rec.user);
  }

  /** Wakes the `waitFor` callers of this server. */
  changed(key: string): void {
    this.events.emit(key);
  }

  /** Resolves with the record once `pred` holds, or with the current record after `timeoutMs` or when `signal` aborts. */
  waitFor(key: string, pred: (r: ServerRecord | undefined) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<ServerRecord | undefined> {
    if (pred(this.records.get(key)) || signal?.aborted) return Promise.resolve(this.records.get(key));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.events.off(key, check);
        signal?.removeEventListener('abort', done);
        resolve(this.records.get(key));
      };
      const check = () => pred(this.records.get(key)) && done();
      const timer = setTimeout(done, timeoutMs);
      this.events.on(key, check);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
