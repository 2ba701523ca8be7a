import type { ProcessInfo, RuntimeSnapshot } from '../core/usage.js';
import { allProcesses, readCmdline, type ProcStat } from '../procfs/proc.js';
import { descendants } from '../procfs/proc.js';
import { kernelIdOf } from './kernels.js';

/**
 * The processes of a runtime right now (so a stopped one disappears at once), with CPU rates from the
 * latest sweep where the process was already there.
 */
export const liveProcesses = (rootPid: number, latest: RuntimeSnapshot | undefined): ProcessInfo[] => {
  const all = allProcesses();
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return [];
  // A zombie has ended already (only its exit status waits to be collected): not a running process.
  const members = [root, ...descendants(rootPid, all)].filter((p) => p.state !== 'Z' && p.state !== 'X');
  const byPid = new Map<number, ProcStat>(members.map((p) => [p.pid, p]));
  const kernelOf = new Map<number, string | null>();
  const resolveKernel = (p: ProcStat): string | null => {
    const known = kernelOf.get(p.pid);
    if (known !== undefined) return known;
    const own = kernelIdOf(readCmdline(p.pid) ?? []);
    const parent = byPid.get(p.ppid);
    const id = own ?? (parent && p.pid !== rootPid ? resolveKernel(parent) : null);
    kernelOf.set(p.pid, id);
    return id;
  };
  const cpuOf = new Map((latest?.processes ?? []).map((p) => [p.pid, p.cpu]));
  return members.map((p) => ({
    pid: p.pid,
    ppid: p.ppid,
    command: (readCmdline(p.pid) ?? []).join(' '),
    cpu: cpuOf.get(p.pid) ?? 0,
    memory: p.rssBytes,
    kernelId: resolveKernel(p),
  }));
};

/** A pid is signalled only if it belongs to this runtime's tree at this moment. */
export const belongsTo = (rootPid: number, pid: number): boolean =>
  pid === rootPid || descendants(rootPid).some((p) => p.pid === pid && p.state !== 'Z' && p.state !== 'X');
