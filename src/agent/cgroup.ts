/**
 * Which pod a process belongs to, from its /proc/<pid>/cgroup, as the kubelet lays pods out: the cgroupfs
 * driver's `…/kubepods[/<qos>]/pod<uid>/<container>` and the systemd driver's
 * `…/kubepods[-<qos>]-pod<uid_with_underscores>.slice/…` (cgroup v1: a line per hierarchy; v2: one line `0::`).
 * Pure: the caller reads the file.
 */
export interface PodCgroup {
  /** The pod's uid, as the API spells it (with dashes). */
  uid: string;
  /** The pod-level cgroup's path (up to and including the pod's segment) by controller: 'cpuacct', 'memory', or '' for v2. */
  paths: Record<string, string>;
}

const CGROUPFS_POD = /^pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const SYSTEMD_POD = /^kubepods(?:-[a-z]+)?-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\.slice$/;

/**
 * The pod-level path of a pod segment found at `i`, when the path is relative to another cgroup namespace's
 * root (an agent container with a private cgroup namespace, usual on cgroup v2, sees `/../../kubepods-…`):
 * the kubelet's layout is fixed, so the host path is rebuilt from the segment (and the QoS before it); null
 * when it cannot be told (a cgroupfs pod whose QoS folder is above the namespace's root).
 */
const rebuilt = (parts: readonly string[], i: number): string | null => {
  const seg = parts[i] as string;
  const systemd = /^kubepods-([a-z]+)-pod/.exec(seg);
  if (systemd) return `/kubepods.slice/kubepods-${systemd[1]}.slice/${seg}`;
  if (seg.startsWith('kubepods-pod')) return `/kubepods.slice/${seg}`;
  const before = parts[i - 1];
  if (before === 'besteffort' || before === 'burstable') return `/kubepods/${before}/${seg}`;
  return before === 'kubepods' ? `/kubepods/${seg}` : null;
};

/** The pod uid a cgroup path names, and the pod-level path (null: not known, see rebuilt); null outside a pod's cgroup. */
export const podOfPath = (path: string): { uid: string; podPath: string | null } | null => {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i] as string;
    const m = CGROUPFS_POD.exec(seg) ?? SYSTEMD_POD.exec(seg);
    if (!m) continue;
    const above = parts.slice(0, i);
    const relative = above.includes('..');
    // Only under the kubelet's own tree: a cgroup merely named pod<uid> elsewhere is not a pod.
    const underKubepods = above.some((p) => p === 'kubepods' || p.startsWith('kubepods.') || p.startsWith('kubepods-')) || (relative && SYSTEMD_POD.test(seg));
    const qosOrAbove = ['..', 'besteffort', 'burstable'].includes(above.at(-1) ?? '');
    if (!underKubepods && !(relative && qosOrAbove)) continue;
    return { uid: (m[1] as string).replaceAll('_', '-'), podPath: relative ? rebuilt(parts, i) : parts.slice(0, i + 1).join('/') };
  }
  return null;
};

/**
 * The pod of a process from its cgroup file; null when no line names a pod. Lines naming different pods (a
 * process moved half-way) name none: such a process is not counted to either.
 */
export const parseProcCgroup = (text: string): PodCgroup | null => {
  let uid: string | null = null;
  const paths: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const pod = podOfPath(line.slice(second + 1));
    if (!pod) continue;
    if (uid !== null && uid !== pod.uid) return null;
    uid = pod.uid;
    // v1 hierarchies may join controllers ('cpu,cpuacct'); a named hierarchy ('name=systemd') holds no counters.
    const podPath = pod.podPath;
    if (podPath !== null) for (const c of line.slice(first + 1, second).split(',')) if (!c.startsWith('name=')) paths[c] = podPath;
  }
  return uid === null ? null : { uid, paths };
};
