import { readChildren } from '../procfs/children.js';
import { allProcesses, childrenByParent, descendants, readCmdline, readPss, readStat, type ProcStat } from '../procfs/proc.js';
import { kernelIdOf } from './kernels.js';
import { runtimeTree } from './tree.js';

/** One kernel's process tree at one moment: a CPU-seconds counter (reaped children included) and memory. */
export interface KernelReading {
  cpuSeconds: number;
  memoryBytes: number;
  /** pid:start time of the kernel's process: a restarted kernel is another process, whose counter starts over. */
  process: string;
}

/** Reads one kernel right now; the recorder calls it when an execution starts and ends. */
export interface KernelProbe {
  read(rootPid: number, kernelId: string): KernelReading | undefined;
}

const live = (st: ProcStat | undefined): st is ProcStat => st !== undefined && st.state !== 'X';

/**
 * Synchronous /proc probe of one kernel (DESIGN.md ideas 4 and 6). The kernel's process is found once in
 * its runtime's tree by the connection file on its command line, then remembered by pid and start time;
 * its descendants are walked through /proc/<pid>/task/<tid>/children, so a read costs a few small files
 * (falling back to a whole /proc scan where that file is missing). The counter sums the tree's own and
 * reaped children's CPU, as the sampler's does, so a child that ends between two reads still counts.
 */
export const createKernelProbe = (o: { pss: boolean } = { pss: false }): KernelProbe => {
  const located = new Map<string, { pid: number; startTime: number }>();

  const locate = (rootPid: number, kernelId: string): ProcStat | undefined => {
    // Remembered per runtime: the same kernel id under another root is not this one.
    const key = `${rootPid}:${kernelId}`;
    const hit = located.get(key);
    if (hit) {
      const st = readStat(hit.pid);
      if (live(st) && st.startTime === hit.startTime) return st;
      located.delete(key);
    }
    const all = allProcesses();
    const root = all.find((p) => p.pid === rootPid);
    if (!root) return undefined;
    const argv = new Map<number, string | null>();
    const idOf = (st: ProcStat) => {
      if (!argv.has(st.pid)) argv.set(st.pid, kernelIdOf(readCmdline(st.pid) ?? []));
      return argv.get(st.pid) ?? null;
    };
    // The topmost process naming the connection file (a forked child may still carry the same command line).
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const parentIs = (st: ProcStat) => {
      const parent = byPid.get(st.ppid);
      return parent !== undefined && idOf(parent) === kernelId;
    };
    const found = runtimeTree(root, childrenByParent(all), idOf).find((m) => idOf(m.st) === kernelId && !parentIs(m.st));
    if (!found) return undefined;
    located.set(key, { pid: found.st.pid, startTime: found.st.startTime });
    if (located.size > 10_000) located.clear();
    return found.st;
  };

  const tree = (top: ProcStat): ProcStat[] => {
    const out: ProcStat[] = [top];
    for (let i = 0; i < out.length; i++) {
      const pids = readChildren((out[i] as ProcStat).pid);
      if (pids === undefined) {
        if (i > 0) continue; // that child just ended
        return [top, ...descendants(top.pid)];
      }
      for (const pid of pids) {
        const st = readStat(pid);
        if (live(st)) out.push(st);
      }
    }
    return out;
  };

  return {
    read: (rootPid, kernelId) => {
      const top = locate(rootPid, kernelId);
      if (!top) return undefined;
      let cpu = 0;
      let memory = 0;
      for (const st of tree(top)) {
        cpu += st.cpuSeconds + st.childCpuSeconds;
        memory += (o.pss ? readPss(st.pid) : undefined) ?? st.rssBytes;
      }
      return { cpuSeconds: cpu, memoryBytes: memory, process: `${top.pid}:${top.startTime}` };
    },
  };
};
