import { CLUSTER_USAGE_USER } from '../core/cluster-usage.js';
import type { RuntimeKey } from '../core/events.js';
import { environValue, type ProcStat } from '../procfs/proc.js';
import type { ProcReader } from './proc-reader.js';

/** How the agent reaches a runtime's own API (its sessions), from the marker or from the hub. */
export interface RuntimeApi {
  target: string;
  baseUrl: string;
  token: string;
}

export interface FoundRuntime extends RuntimeKey {
  rootPid: number;
  /** When the root process started, Unix ms. */
  rootStart: number;
  api: RuntimeApi | null;
  /**
   * Other roots of the runtime: processes started beside it with its marker (its named apps, launched by the
   * hub, or a process that left the tree), whose trees count to the runtime too. The oldest root is the
   * spawner's runtime process (`rootPid`).
   */
  others: number[];
  /** Node mode: the pod's cgroup paths by controller (cgroup.ts), whose counters give the runtime's whole usage. */
  cgroup?: Readonly<Record<string, string>>;
}

/** A runtime the caller already knows the root of (the in-process agent: the hub's own runtimes). */
export interface KnownRoot extends RuntimeKey {
  rootPid: number;
  api: RuntimeApi | null;
}

/** What the spawner put in a runtime's environment (local-spawner.ts), inherited by its every process. */
interface Marker {
  user: string;
  server: string;
  hub: string | null;
  api: RuntimeApi | null;
}

/**
 * NBHUB_RUNTIME=<user>/<server> (names hold no slash), NBHUB_HUB=<hub id>, and the runtime's port, path and token.
 * A Spark cluster's processes carry NBHUB_CLUSTER=<name> instead (spawners/local/spark-cluster.ts): the cluster
 * is followed as the runtime (CLUSTER_USAGE_USER, name), which no user's server can be (core/cluster-usage.ts).
 * A runtime's marker wins: a runtime allowed on a cluster may be told the cluster's name.
 */
export const parseMarker = (environ: string): Marker | null => {
  const runtime = environValue(environ, 'NBHUB_RUNTIME');
  if (runtime === null) {
    const cluster = environValue(environ, 'NBHUB_CLUSTER');
    if (!cluster || cluster.includes('/')) return null;
    return { user: CLUSTER_USAGE_USER, server: cluster, hub: environValue(environ, 'NBHUB_HUB'), api: null };
  }
  const slash = runtime.indexOf('/');
  if (slash <= 0) return null;
  const port = environValue(environ, 'NBHUB_PORT');
  const baseUrl = environValue(environ, 'NBHUB_BASE_URL');
  const token = environValue(environ, 'NBHUB_TOKEN');
  return {
    user: runtime.slice(0, slash),
    server: runtime.slice(slash + 1),
    hub: environValue(environ, 'NBHUB_HUB'),
    api: port && baseUrl && token ? { target: `http://127.0.0.1:${port}`, baseUrl, token } : null,
  };
};

const procKey = (st: ProcStat) => `${st.pid}:${st.startTime}`;

/**
 * Finds the runtimes on this machine by their marker: a runtime's root is a marked process whose parent
 * carries no marker (its kernels and their children inherit it, and are found by walking down from the
 * root). Only runtimes of `hubId` are followed: other hubs' runtimes on the same machine are not ours. A
 * process's environment is fixed once it has exec'd, so each is read once.
 */
export class RuntimeFinder {
  private readonly markers = new Map<string, Marker | null>();

  constructor(private readonly reader: Pick<ProcReader, 'environ' | 'startedAt'>) {}

  find(all: readonly ProcStat[], o: { hubId: string | null; match: RegExp | null; known: readonly KnownRoot[] }): FoundRuntime[] {
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const found = new Map<string, FoundRuntime>();
    const consider = (r: FoundRuntime) => {
      const key = `${r.user}/${r.server}`;
      if (o.match && !o.match.test(key)) return;
      const cur = found.get(key);
      if (!cur) return void found.set(key, r);
      // Two roots claiming one runtime: the older is the one the spawner started; the other is counted beside it.
      const [first, second] = r.rootStart < cur.rootStart ? [r, cur] : [cur, r];
      found.set(key, { ...first, api: first.api ?? second.api, others: [...first.others, second.rootPid, ...second.others] });
    };
    const seen = new Set<string>();
    for (const st of all) {
      const key = procKey(st);
      seen.add(key);
      if (st.state === 'Z' || st.state === 'X') continue;
      const m = this.markerOf(st, key);
      if (!m || o.hubId === null || m.hub !== o.hubId) continue;
      const parent = byPid.get(st.ppid);
      if (parent && this.markerOf(parent, procKey(parent))) continue;
      consider({ user: m.user, server: m.server, rootPid: st.pid, rootStart: this.reader.startedAt(st), api: m.api, others: [] });
    }
    for (const k of o.known) {
      const st = byPid.get(k.rootPid);
      const cur = found.get(`${k.user}/${k.server}`);
      if (st && !cur) consider({ ...k, rootStart: this.reader.startedAt(st), others: [] });
      // A runtime that holds only the hash of its credential (nbhub's identity provider): the hub gives the API.
      else if (cur && cur.api === null && k.api) found.set(`${k.user}/${k.server}`, { ...cur, api: k.api });
    }
    for (const key of this.markers.keys()) if (!seen.has(key)) this.markers.delete(key);
    return [...found.values()];
  }

  private markerOf(st: ProcStat, key: string): Marker | null {
    const hit = this.markers.get(key);
    if (hit !== undefined) return hit;
    const environ = this.reader.environ?.(st.pid);
    const m = environ === undefined ? null : parseMarker(environ);
    // Unreadable (gone, or not ours) is asked again next sweep; a readable environment is final.
    if (environ !== undefined) this.markers.set(key, m);
    return m;
  }
}
