import { readdirSync } from 'node:fs';
import { readProcText } from './read.js';

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
export const readThreadChildren = (pid: number, tid: number): number[] | undefined => {
  const text = readProcText(`/proc/${pid}/task/${tid}/children`);
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
