import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A pod's whole usage from its cgroup: CPU seconds since the pod's cgroup was made, and its working set. */
export interface CgroupUsage {
  cpuSeconds: number;
  memoryBytes: number;
}

/** Reads a pod's usage from the cgroup paths its processes name (cgroup.ts); tests point it at fixtures. */
export type CgroupUsageReader = (paths: Readonly<Record<string, string>>) => CgroupUsage | undefined;

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** A `key value` line of a stat file (memory.stat, cpu.stat) as a number. */
export const statValue = (text: string, key: string): number | undefined => {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

const number = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d+\s*$/.test(text)) return undefined;
  return Number(text);
};

/**
 * Memory as the kubelet counts a pod's working set: usage minus inactive file cache (which the kernel
 * reclaims first), never negative.
 */
const workingSet = (usage: number | undefined, stat: string | undefined, inactiveKey: string): number | undefined => {
  if (usage === undefined) return undefined;
  const inactive = stat === undefined ? 0 : (statValue(stat, inactiveKey) ?? 0);
  return Math.max(0, usage - inactive);
};

/** cgroup v1: cpuacct.usage (ns) and memory.usage_in_bytes; `root` is where the hierarchies are mounted. */
const v1 = (root: string, paths: Readonly<Record<string, string>>): CgroupUsage | undefined => {
  const cpuPath = paths['cpuacct'];
  const memPath = paths['memory'];
  if (cpuPath === undefined || memPath === undefined) return undefined;
  // Joined hierarchies are mounted as 'cpu,cpuacct' with 'cpuacct' a link to it, or only under the joined name.
  const ns = number(read(join(root, 'cpuacct', cpuPath, 'cpuacct.usage'))) ?? number(read(join(root, 'cpu,cpuacct', cpuPath, 'cpuacct.usage')));
  const usage = number(read(join(root, 'memory', memPath, 'memory.usage_in_bytes')));
  const memory = workingSet(usage, read(join(root, 'memory', memPath, 'memory.stat')), 'total_inactive_file');
  return ns === undefined || memory === undefined ? undefined : { cpuSeconds: ns / 1e9, memoryBytes: memory };
};

/** cgroup v2: cpu.stat usage_usec and memory.current, at the root or under 'unified' (hybrid mounts). */
const v2 = (root: string, path: string): CgroupUsage | undefined => {
  for (const base of [root, join(root, 'unified')]) {
    const cpu = read(join(base, path, 'cpu.stat'));
    const usec = cpu === undefined ? undefined : statValue(cpu, 'usage_usec');
    const memory = workingSet(number(read(join(base, path, 'memory.current'))), read(join(base, path, 'memory.stat')), 'inactive_file');
    if (usec !== undefined && memory !== undefined) return { cpuSeconds: usec / 1e6, memoryBytes: memory };
  }
  return undefined;
};

/** Reads under `root` (the host's /sys/fs/cgroup); undefined when the pod's counters are not readable there. */
export const cgroupUsageReader =
  (root: string): CgroupUsageReader =>
  (paths) =>
    v1(root, paths) ?? (paths[''] === undefined ? undefined : v2(root, paths['']));
