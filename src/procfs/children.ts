import { readdirSync } from 'node:fs';
import { mayContinue, procBytes, readProcText, type ProcFile } from './read.js';

const parse = (text: string): number[] => {
  const out: number[] = [];
  for (const part of text.split(' ')) if (part !== '' && part !== '\n') out.push(Number(part));
  return out;
};

/**
 * Children forked by one thread of a process, from /proc/<pid>/task/<tid>/children (one small file, where a
 * whole /proc scan reads every process). Undefined when the file is missing: the thread or process is gone,
 * or the kernel does not offer these files (CONFIG_PROC_CHILDREN).
 */
export const readThreadChildren = (pid: number, tid: number): number[] | undefined => readThreadChildrenPath(`/proc/${pid}/task/${tid}/children`);

/** readThreadChildren through a file kept open on /proc/<pid>/task/<tid>/children (see ProcFile). */
export const readThreadChildrenFile = (file: ProcFile): number[] | undefined => {
  const n = file.read();
  if (n < 0) return undefined;
  const b = procBytes();
  // A list that may go on past this read: read whole the usual way.
  if (mayContinue(n)) return readThreadChildrenPath(file.path);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let v = 0;
    let digits = 0;
    for (let c = b[i] as number; i < n && c >= 48 && c <= 57; c = b[++i] as number, digits++) v = v * 10 + (c - 48);
    if (digits > 0) out.push(v);
  }
  return out;
};

const readThreadChildrenPath = (path: string): number[] | undefined => {
  const text = readProcText(path);
  return text === undefined ? undefined : parse(text);
};

/** Threads of a process other than its main one, or [] when it is gone. */
export const otherThreads = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map(Number)
      .filter((tid) => tid !== pid);
  } catch {
    return [];
  }
};

/** Every direct child of a process: each of its threads' list (a child belongs to the thread that forked it). */
export const readChildren = (pid: number): number[] | undefined => {
  const main = readThreadChildren(pid, pid);
  if (main === undefined) return undefined;
  return [...main, ...otherThreads(pid).flatMap((tid) => readThreadChildren(pid, tid) ?? [])];
};
