import type { RuntimeProcess, SignalName } from '../core/process-door.js';
import { allProcesses, childrenByParent, descendants, isAlive, readCmdline, startedAtMs, type ProcStat } from '../procfs/proc.js';
import { kernelIdOf } from './kernels.js';
import { runtimeTrees } from './tree.js';

/** A process that has not ended (a zombie has: only its exit status waits to be collected). */
export const running = (st: ProcStat | undefined): st is ProcStat => st !== undefined && st.state !== 'Z' && st.state !== 'X';

/** When a process started, whole Unix ms (start times move in clock ticks, 10 ms): what tells a reused pid. */
export const startedOf = (st: ProcStat): number => Math.round(startedAtMs(st.startTime));

/** A process of a runtime's tree as read now, with its command line and the kernel it counts to. */
export interface TreeMember {
  st: ProcStat;
  argv: string[];
  kernel: string | null;
}

/**
 * A runtime's tree right now (its root and its other roots, each process once), zombies included: their
 * counters are final until they are reaped into their parent's. Empty when the root is gone.
 */
export const treeNow = (rootPid: number, others: readonly number[] = [], all: readonly ProcStat[] = allProcesses()): TreeMember[] => {
  const root = all.find((p) => p.pid === rootPid);
  if (!root) return [];
  const commands = new Map<number, string[]>();
  const argv = (st: ProcStat) => commands.get(st.pid) ?? commands.set(st.pid, readCmdline(st.pid) ?? []).get(st.pid) ?? [];
  const roots = [root, ...all.filter((p) => others.includes(p.pid))];
  return runtimeTrees(roots, childrenByParent(all), (st) => kernelIdOf(argv(st))).map(({ st, kernel }) => ({ st, kernel, argv: argv(st) }));
};

/** A tree member as the process door lists it, with its CPU now (null: no figure yet) and memory now. */
export const listed = (m: TreeMember, cpu: number | null, memory: number): RuntimeProcess => ({
  pid: m.st.pid,
  ppid: m.st.ppid,
  command: m.argv.join(' '),
  cpu,
  memory,
  kernelId: m.kernel,
  started: startedOf(m.st),
});

/**
 * Signals `pid` only if it is in the runtime's tree now and is the process meant: the tree's process with
 * that pid (and `started`, when given) is read again right before the kill, so a pid that ended and was
 * reused meanwhile is never signalled.
 */
export const signalInTree = (rootPid: number, pid: number, signal: SignalName, started?: number, others: readonly number[] = []): 'signalled' | 'no-such-process' => {
  const all = allProcesses();
  // The runtime's tree and those of its other roots (its named apps), while the runtime's root lives.
  const roots = all.some((p) => p.pid === rootPid) ? [rootPid, ...others] : [];
  const member = roots.includes(pid) ? all.find((p) => p.pid === pid) : roots.flatMap((r) => descendants(r, all)).find((p) => p.pid === pid);
  if (!running(member) || (started !== undefined && startedOf(member) !== started)) return 'no-such-process';
  if (!isAlive(pid, member.startTime)) return 'no-such-process';
  try {
    process.kill(pid, signal);
  } catch {
    return 'no-such-process';
  }
  return 'signalled';
};
