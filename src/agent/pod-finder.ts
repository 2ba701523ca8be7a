import { instanceLabel } from '../kube/labels.js';
import { environValue, type ProcStat } from '../procfs/proc.js';
import { parseProcCgroup, type PodCgroup } from './cgroup.js';
import type { FoundRuntime } from './finder.js';
import type { RuntimePod } from './pods.js';
import type { ProcReader } from './proc-reader.js';

const procKey = (st: ProcStat) => `${st.pid}:${st.startTime}`;

/**
 * Finds the runtime pods' processes on this node (node mode): a process belongs to the pod its cgroup names
 * (cgroup.ts); a process in no pod's cgroup (a node without the kubelet's cgroups, as the process kubelet
 * before it made them) belongs to the pod whose annotated user/server its marker names (finder.ts). A
 * process inside a pod's cgroup is never counted to another pod, whatever its environment says. The pod's
 * roots are its processes whose parent is not the pod's: the oldest is the runtime's root. A process's
 * cgroup and environment are read once (kept by pid and start time).
 */
export class PodFinder {
  /** By process: its pod's cgroup, none (final), or none yet (read once more: the kubelet may be moving it). */
  private readonly cgroups = new Map<string, PodCgroup | null | 'again'>();
  private readonly markers = new Map<string, string | null>();

  constructor(private readonly reader: Pick<ProcReader, 'environ' | 'cgroup' | 'startedAt'>) {}

  find(all: readonly ProcStat[], o: { hubId: string | null; match: RegExp | null; pods: readonly RuntimePod[] }): FoundRuntime[] {
    const instance = o.hubId === null ? null : instanceLabel(o.hubId);
    const pods = o.pods.filter((p) => p.instance === instance && (!o.match || o.match.test(`${p.user}/${p.server}`)));
    const byUid = new Map(pods.map((p) => [p.uid, p]));
    const byMarker = new Map(pods.map((p) => [`${p.user}/${p.server}`, p]));
    const members = new Map<string, { pod: RuntimePod; cgroup: PodCgroup | null; procs: ProcStat[]; marked: ProcStat[] }>();
    const seen = new Set<string>();
    for (const st of all) {
      const key = procKey(st);
      seen.add(key);
      if (st.state === 'Z' || st.state === 'X') continue;
      const cg = this.cgroupOf(st.pid, key);
      const pod = cg ? byUid.get(cg.uid) : byMarker.get(this.markerOf(st.pid, key) ?? '');
      if (!pod) continue;
      const m = members.get(pod.uid) ?? { pod, cgroup: null, procs: [], marked: [] };
      m.cgroup ??= cg;
      (cg ? m.procs : m.marked).push(st);
      members.set(pod.uid, m);
    }
    for (const key of this.cgroups.keys()) if (!seen.has(key)) this.cgroups.delete(key);
    for (const key of this.markers.keys()) if (!seen.has(key)) this.markers.delete(key);

    const found: FoundRuntime[] = [];
    for (const m of members.values()) {
      const { pod, cgroup } = m;
      // A pod whose processes are in its cgroup takes none by marker.
      const procs = m.procs.length > 0 ? m.procs : m.marked;
      const pids = new Set(procs.map((p) => p.pid));
      const roots = procs.filter((p) => !pids.has(p.ppid)).map((st) => ({ st, started: this.reader.startedAt(st) }));
      roots.sort((a, b) => a.started - b.started || a.st.pid - b.st.pid);
      const [first, ...others] = roots;
      if (!first) continue;
      found.push({
        user: pod.user,
        server: pod.server,
        rootPid: first.st.pid,
        rootStart: first.started,
        others: others.map((r) => r.st.pid),
        api: this.apiOf(pod, first.st.pid),
        ...(cgroup ? { cgroup: cgroup.paths } : {}),
      });
    }
    return found;
  }

  /** The runtime's API at the pod's IP and port; its path and token from the root's environment (as the spawner set them). */
  private apiOf(pod: RuntimePod, rootPid: number): FoundRuntime['api'] {
    const environ = this.reader.environ?.(rootPid);
    if (!environ || pod.ip === null) return null;
    const port = pod.port ?? Number(environValue(environ, 'NBHUB_PORT') ?? NaN);
    const baseUrl = environValue(environ, 'NBHUB_BASE_URL');
    const token = environValue(environ, 'NBHUB_TOKEN');
    if (!Number.isInteger(port) || port <= 0 || !baseUrl || !token) return null;
    const host = pod.ip.includes(':') ? `[${pod.ip}]` : pod.ip;
    return { target: `http://${host}:${port}`, baseUrl, token };
  }

  private cgroupOf(pid: number, key: string): PodCgroup | null {
    const hit = this.cgroups.get(key);
    if (hit !== undefined && hit !== 'again') return hit;
    const text = this.reader.cgroup?.(pid);
    const cg = text === undefined ? null : parseProcCgroup(text);
    // A process seen outside every pod is asked once more (a kubelet may move it just after it starts), then not.
    if (text !== undefined) this.cgroups.set(key, cg ?? (hit === 'again' ? null : 'again'));
    return cg;
  }

  private markerOf(pid: number, key: string): string | null {
    const hit = this.markers.get(key);
    if (hit !== undefined) return hit;
    const environ = this.reader.environ?.(pid);
    if (environ === undefined) return null;
    const m = environValue(environ, 'NBHUB_RUNTIME');
    this.markers.set(key, m);
    return m;
  }
}
