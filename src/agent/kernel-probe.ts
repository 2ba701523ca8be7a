import { performance } from 'node:perf_hooks';
import { readChildren, readThreadChildrenFile } from '../procfs/children.js';
import { allProcesses, childrenByParent, descendants, readCmdline, readPss, readStat, readStatFile, type ProcStat } from '../procfs/proc.js';
import { ProcFile } from '../procfs/read.js';
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
  /** The kernel is not followed any more: the files kept open to read it are closed (until it is read again). */
  forget(rootPid: number, kernelId: string): void;
}

const OTHER_THREADS_MS = 2000;

/** A kernel's process as found, with its stat and its main thread's children kept open (see ProcFile). */
interface Located {
  pid: number;
  startTime: number;
  otherAt: number;
  other: number[];
  stat: ProcFile;
  children: ProcFile;
}

const live = (st: ProcStat | undefined): st is ProcStat => st !== undefined && st.state !== 'X';

/**
 * Synchronous /proc probe of one kernel (DESIGN.md ideas 4 and 6). The kernel's process is found once in
 * its runtime's tree by the connection file on its command line, then remembered by pid and start time, with
 * its stat and its main thread's children files kept open (a read is then two preads, no open or close);
 * its descendants are walked through /proc/<pid>/task/<tid>/children (falling back to a whole /proc scan
 * where that file is missing). The counter sums the tree's own and reaped children's CPU, as the sampler's
 * does, so a child that ends between two reads still counts.
 */
export const createKernelProbe = (o: { pss: boolean; now?: () => number } = { pss: false }): KernelProbe => {
  // The module's binding: the global `performance` is a lazy getter, looked up again on every call.
  const now = o.now ?? (() => performance.now());
  const located = new Map<string, Located>();
  const drop = (key: string) => {
    const hit = located.get(key);
    if (!hit) return;
    hit.stat.close();
    hit.children.close();
    located.delete(key);
  };

  const locate = (rootPid: number, kernelId: string): { st: ProcStat; known: Located } | undefined => {
    // Remembered per runtime: the same kernel id under another root is not this one.
    const key = `${rootPid}:${kernelId}`;
    const hit = located.get(key);
    if (hit) {
      const st = readStatFile(hit.pid, hit.stat);
      if (live(st) && st.startTime === hit.startTime) return { st, known: hit };
      drop(key);
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
    const pid = found.st.pid;
    const known: Located = {
      pid,
      startTime: found.st.startTime,
      otherAt: -Infinity,
      other: [],
      stat: new ProcFile(`/proc/${pid}/stat`),
      children: new ProcFile(`/proc/${pid}/task/${pid}/children`),
    };
    if (located.size >= 10_000) for (const k of [...located.keys()]) drop(k);
    located.set(key, known);
    return { st: found.st, known };
  };

  /**
   * The kernel's tree. A cell's subprocesses are forked by the kernel's main thread, whose list is read every
   * time; the other threads' lists (an ipykernel has about ten threads) are read at most every OTHER_THREADS_MS,
   * which keeps a read to a few small files. Below the kernel, every child's whole list is read.
   */
  const tree = (top: ProcStat, known: Located): ProcStat[] => {
    const main = readThreadChildrenFile(known.children);
    if (main === undefined) return [top, ...descendants(top.pid)];
    const t = now();
    if (t - known.otherAt >= OTHER_THREADS_MS) {
      known.other = (readChildren(top.pid) ?? []).filter((pid) => !main.includes(pid));
      known.otherAt = t;
    }
    const out: ProcStat[] = [top];
    for (const pid of new Set([...main, ...known.other])) {
      const st = readStat(pid);
      // The remembered list may name a process that ended since, or whose pid was reused.
      if (live(st) && st.ppid === top.pid) out.push(st);
    }
    for (let i = 1; i < out.length; i++) {
      for (const pid of readChildren((out[i] as ProcStat).pid) ?? []) {
        const st = readStat(pid);
        if (live(st)) out.push(st);
      }
    }
    return out;
  };

  return {
    read: (rootPid, kernelId) => {
      const found = locate(rootPid, kernelId);
      if (!found) return undefined;
      const top = found.st;
      let cpu = 0;
      let memory = 0;
      for (const st of tree(top, found.known)) {
        cpu += st.cpuSeconds + st.childCpuSeconds;
        memory += (o.pss ? readPss(st.pid) : undefined) ?? st.rssBytes;
      }
      return { cpuSeconds: cpu, memoryBytes: memory, process: `${top.pid}:${top.startTime}` };
    },
    forget: (rootPid, kernelId) => {
      // Where the kernel is stays known (a connection opened again reads it without a search of /proc); only
      // its files are closed, to be opened again by the next read.
      const hit = located.get(`${rootPid}:${kernelId}`);
      hit?.stat.close();
      hit?.children.close();
    },
  };
};
