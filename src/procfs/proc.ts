import { readdirSync, readFileSync } from 'node:fs';
import { procBytes, readProcBytes, type ProcFile } from './read.js';

import { execFileSync } from 'node:child_process';

/** Clock ticks per second and page size, asked once (100 and 4096 on Linux almost everywhere). */
const conf = (name: string, fallback: number): number => {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
};
export const CLK_TCK = conf('CLK_TCK', 100);
export const PAGE_SIZE = conf('PAGESIZE', 4096);

/** When the machine booted (Unix ms): start times in /proc are clock ticks since then. */
const BOOT_MS = (() => {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) * 1000 : 0;
  } catch {
    return 0;
  }
})();

/** A process's start time (ProcStat.startTime) as Unix milliseconds, to within a clock tick and a second. */
export const startedAtMs = (startTime: number): number => BOOT_MS + (startTime / CLK_TCK) * 1000;

/**
 * The part of /proc/<pid>/stat nbhub uses: parent, process group, state, start time (to detect pid
 * reuse), CPU seconds of the process (user + system) and of its reaped children, and resident memory.
 */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  startTime: number;
  cpuSeconds: number;
  childCpuSeconds: number;
  rssBytes: number;
}

/** Fields 4 to 24 of proc(5)'s stat (ppid to rss), as numbers; reused by every read. */
const numbers = new Float64Array(21);

/**
 * Parses the stat line read into procBytes()[0, n). The command name (field 2) may hold spaces and
 * parentheses; fields resume after the last ')': the state (field 3), then numbers. Read in place, without a
 * string: the probe reads this at each execution's start and end.
 */
const parseStat = (pid: number, n: number): ProcStat | undefined => {
  if (n <= 0) return undefined;
  const b = procBytes();
  const close = b.lastIndexOf(0x29, n - 1);
  if (close < 0 || close + 2 >= n) return undefined;
  const state = String.fromCharCode(b[close + 2] as number);
  let i = close + 4;
  for (let f = 0; f < numbers.length; f++) {
    let v = 0;
    const negative = b[i] === 45;
    if (negative) i++;
    for (let c = b[i] as number; i < n && c >= 48 && c <= 57; c = b[++i] as number) v = v * 10 + (c - 48);
    numbers[f] = negative ? -v : v;
    i++;
  }
  // numbers[i] is field i+4: ppid 4, pgrp 5, utime 14, stime 15, cutime 16, cstime 17, starttime 22, rss 24.
  return {
    pid,
    state,
    ppid: numbers[0] as number,
    pgrp: numbers[1] as number,
    startTime: numbers[18] as number,
    cpuSeconds: ((numbers[10] as number) + (numbers[11] as number)) / CLK_TCK,
    childCpuSeconds: ((numbers[12] as number) + (numbers[13] as number)) / CLK_TCK,
    rssBytes: (numbers[20] as number) * PAGE_SIZE,
  };
};

export const readStat = (pid: number): ProcStat | undefined => parseStat(pid, readProcBytes(`/proc/${pid}/stat`));

/** readStat through a file kept open on /proc/<pid>/stat (see ProcFile). */
export const readStatFile = (pid: number, file: ProcFile): ProcStat | undefined => parseStat(pid, file.read());

/** Every process on the machine, read once per sweep. */
export const allProcesses = (): ProcStat[] => {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const st = readStat(Number(entry));
    if (st) out.push(st);
  }
  return out;
};

export const readCmdline = (pid: number): string[] | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
};

/** A process's environment as it was exec'd (NUL-separated), when readable. */
export const readEnviron = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
};

/** A process's cgroup membership (/proc/<pid>/cgroup: a line per hierarchy), when readable. */
export const readCgroup = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'latin1');
  } catch {
    return undefined;
  }
};

/** The value of `name` in a NUL-separated environment (readEnviron's), or null when it is not set (pure). */
export const environValue = (environ: string, name: string): string | null => {
  const at = environ.startsWith(`${name}=`) ? 0 : environ.indexOf(`\0${name}=`) + 1;
  if (at === 0 && !environ.startsWith(`${name}=`)) return null;
  const start = at + name.length + 1;
  const end = environ.indexOf('\0', start);
  return environ.slice(start, end < 0 ? undefined : end);
};

/** Proportional set size (shared pages split among their users), when the kernel lets us read it. */
export const readPss = (pid: number): number | undefined => {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
};

export const isAlive = (pid: number, startTime: number): boolean => {
  const st = readStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
};

/** Every live descendant of `root`, found by walking parent links across /proc. */
/** Processes by parent pid. */
export const childrenByParent = (all: readonly ProcStat[]): Map<number, ProcStat[]> => {
  const children = new Map<number, ProcStat[]>();
  for (const st of all) {
    const list = children.get(st.ppid);
    if (list) list.push(st);
    else children.set(st.ppid, [st]);
  }
  return children;
};

export const descendants = (root: number, all: ProcStat[] = allProcesses()): ProcStat[] => {
  const children = childrenByParent(all);
  const out: ProcStat[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop() as number) ?? []) {
      out.push(child);
      stack.push(child.pid);
    }
  }
  return out;
};

export const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone: stopping is idempotent.
  }
};

/** Seconds since boot (/proc/uptime), the clock of ProcStat.startTime / CLK_TCK; undefined when unreadable. */
export const readUptime = (): number | undefined => {
  try {
    const v = Number.parseFloat(readFileSync('/proc/uptime', 'latin1'));
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
};
