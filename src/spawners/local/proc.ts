import { readdirSync, readFileSync } from 'node:fs';

/** Just enough of /proc/<pid>/stat: parent, process group, state and start time (to detect pid reuse). */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  startTime: number;
}

export const readStat = (pid: number): ProcStat | undefined => {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; fields resume after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    startTime: Number(rest[19]),
  };
};

export const isAlive = (pid: number, startTime: number): boolean => {
  const st = readStat(pid);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
};

/** Every live descendant of `root`, found by walking parent links across /proc. */
export const descendants = (root: number): ProcStat[] => {
  const all: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const st = readStat(pid);
    if (st) all.push(st);
  }
  const children = new Map<number, ProcStat[]>();
  for (const st of all) {
    const list = children.get(st.ppid) ?? [];
    list.push(st);
    children.set(st.ppid, list);
  }
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
