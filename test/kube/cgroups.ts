import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Container cgroups laid out as a kubelet with the cgroupfs driver lays them out (cgroup v1):
 * <hierarchy>/kubepods/<qos>/pod<uid>/<container-id>, guaranteed pods directly under kubepods. So
 * /proc/<pid>/cgroup names the pod's uid as on a real node, and the node agent reads cpuacct.usage and
 * memory.usage_in_bytes / memory.stat there. Memory limits are enforced (memory.limit_in_bytes, so OOMKilled
 * is real); CPU limits are not (no cpu.cfs_quota_us is written).
 */
const ROOT = process.env['NBHUB_KUBELET_CGROUP_ROOT'] ?? '/sys/fs/cgroup';
const HIERARCHIES = ['cpuacct', 'memory'] as const;

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export const podCgroup = (qos: QosClass, uid: string) =>
  qos === 'Guaranteed' ? `kubepods/pod${uid}` : `kubepods/${qos.toLowerCase()}/pod${uid}`;

/** Null when this machine's cgroups are not writable (the kubelet then runs without and says so once). */
export const cgroupsWritable = (): string | null => {
  for (const h of HIERARCHIES) {
    const probe = join(ROOT, h, 'kubepods', `nbhub-probe-${process.pid}`);
    try {
      mkdirSync(probe, { recursive: true });
      rmdirSync(probe);
    } catch (err) {
      return `cgroup ${h} at ${join(ROOT, h)} is not writable (${(err as Error).message})`;
    }
  }
  return null;
};

/** Makes the container's cgroup folders; returns the cgroup.procs files the wrapper writes its pid into. */
export const makeContainerCgroup = (path: string, memoryLimit: number | undefined): string[] => {
  const procs: string[] = [];
  for (const h of HIERARCHIES) {
    const dir = join(ROOT, h, path);
    mkdirSync(dir, { recursive: true });
    if (h === 'memory' && memoryLimit) {
      try {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(Math.floor(memoryLimit)));
      } catch { /* the limit is best effort */ }
    }
    procs.push(join(dir, 'cgroup.procs'));
  }
  return procs;
};

/** The kernel's OOM kill count in the container's memory cgroup (cgroup v1 memory.oom_control). */
export const oomKills = (path: string): number => {
  try {
    const m = /oom_kill (\d+)/.exec(readFileSync(join(ROOT, 'memory', path, 'memory.oom_control'), 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** Removes a container's or pod's folders (deepest first; a folder with processes left stays). */
export const removeCgroup = (path: string, children: string[] = []) => {
  for (const h of HIERARCHIES) {
    for (const c of [...children.map((c) => `${path}/${c}`), path]) {
      try {
        rmdirSync(join(ROOT, h, c));
      } catch { /* gone already, or still busy */ }
    }
  }
};

/**
 * Removes every cgroup folder of a pod (any QoS level, both hierarchies), retrying for up to `waitMs` while
 * killed processes are still leaving them. True when nothing is left.
 */
export const removePodCgroups = async (uid: string, waitMs = 3000): Promise<boolean> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let left = false;
    for (const h of HIERARCHIES) {
      for (const qos of ['', 'besteffort/', 'burstable/']) {
        const dir = join(ROOT, h, `kubepods/${qos}pod${uid}`);
        if (!existsSync(dir)) continue;
        for (const d of readdirSync(dir, { withFileTypes: true })) {
          if (!d.isDirectory()) continue;
          try {
            rmdirSync(join(dir, d.name));
          } catch {
            left = true;
          }
        }
        try {
          rmdirSync(dir);
        } catch {
          left = true;
        }
      }
    }
    if (!left || Date.now() > deadline) return !left;
    await new Promise((r) => setTimeout(r, 100));
  }
};
