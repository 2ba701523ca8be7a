import type { ProcessModel } from './types.js';

/** Processes in tree order (each after its parent, siblings by pid) with their depth; the roots have depth 0. */
export const processTree = (processes: readonly ProcessModel[]): Array<{ process: ProcessModel; depth: number; root: boolean }> => {
  const pids = new Set(processes.map((p) => p.pid));
  const children = new Map<number, ProcessModel[]>();
  for (const p of processes) {
    const siblings = children.get(p.ppid) ?? [];
    siblings.push(p);
    children.set(p.ppid, siblings);
  }
  for (const list of children.values()) list.sort((a, b) => a.pid - b.pid);
  const out: Array<{ process: ProcessModel; depth: number; root: boolean }> = [];
  const seen = new Set<number>();
  const visit = (p: ProcessModel, depth: number) => {
    if (seen.has(p.pid)) return;
    seen.add(p.pid);
    out.push({ process: p, depth, root: depth === 0 });
    for (const c of children.get(p.pid) ?? []) visit(c, depth + 1);
  };
  for (const p of [...processes].sort((a, b) => a.pid - b.pid)) if (!pids.has(p.ppid) || p.ppid === p.pid) visit(p, 0);
  // Whatever a cycle would hide (it cannot happen with real pids) is still listed.
  for (const p of processes) visit(p, 0);
  return out;
};
