import { readdirSync, readFileSync } from 'node:fs';

/**
 * Direct children of a process, from /proc/<pid>/task/<tid>/children (every thread's list: a child belongs
 * to the thread that forked it). Reads a handful of small files instead of every process's stat; undefined
 * when the kernel does not offer these files (CONFIG_PROC_CHILDREN) or the process is gone.
 */
export const readChildren = (pid: number): number[] | undefined => {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
    } catch {
      // A thread that just ended has no file any more; a kernel without the feature has none at all.
      if (tid === String(pid)) return undefined;
      continue;
    }
    for (const part of text.split(' ')) if (part !== '' && part !== '\n') out.push(Number(part));
  }
  return out;
};
