import type { ProcessInfo, RuntimeSnapshot } from '../core/usage.js';
import { allProcesses, childrenByParent, descendants, readCmdline, type ProcStat } from '../procfs/proc.js';
import { kernelIdOf } from './kernels.js';
import { runtimeTree } from './tree.js';

/**
 * The processes of a runtime right now (so a stopped one disappears at once), with CPU rates from the
 * latest sweep where the process was already there.
 */
export const liveProcesses = (rootPid: number, latest: RuntimeSnapshot | undefined): ProcessInfo[] => {
  const all = allProcesses();
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return [];
  const commands = new Map<number, string[]>();
  const argv = (st: ProcStat) => commands.get(st.pid) ?? commands.set(st.pid, readCmdline(st.pid) ?? []).get(st.pid) ?? [];
  const cpuOf = new Map((latest?.processes ?? []).map((p) => [p.pid, p.cpu]));
  return (
    runtimeTree(root, childrenByParent(all), (st) => kernelIdOf(argv(st)))
      // A zombie has ended already (only its exit status waits to be collected): not a running process.
      .filter(({ st }) => st.state !== 'Z' && st.state !== 'X')
      .map(({ st, kernel }) => ({
        pid: st.pid,
        ppid: st.ppid,
        command: argv(st).join(' '),
        cpu: cpuOf.get(st.pid) ?? 0,
        memory: st.rssBytes,
        kernelId: kernel,
      }))
  );
};

/** A pid is signalled only if it belongs to this runtime's tree at this moment. */
export const belongsTo = (rootPid: number, pid: number): boolean =>
  pid === rootPid || descendants(rootPid).some((p) => p.pid === pid && p.state !== 'Z' && p.state !== 'X');
