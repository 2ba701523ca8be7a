import type { ProcStat } from '../procfs/proc.js';

export interface Member {
  st: ProcStat;
  /** The kernel whose tree holds the process (the nearest kernel above it, or itself), else null. */
  kernel: string | null;
}

/** A runtime's process tree from its root, each process with the kernel it counts to. */
export const runtimeTree = (root: ProcStat, children: ReadonlyMap<number, ProcStat[]>, kernelOf: (st: ProcStat) => string | null): Member[] => {
  const members: Member[] = [];
  const stack: Member[] = [{ st: root, kernel: kernelOf(root) }];
  while (stack.length > 0) {
    const item = stack.pop() as Member;
    members.push(item);
    for (const c of children.get(item.st.pid) ?? []) stack.push({ st: c, kernel: kernelOf(c) ?? item.kernel });
  }
  return members;
};

/** The trees of several roots (a runtime and its named apps), each process once. */
export const runtimeTrees = (roots: readonly ProcStat[], children: ReadonlyMap<number, ProcStat[]>, kernelOf: (st: ProcStat) => string | null): Member[] => {
  const seen = new Set<number>();
  return roots.flatMap((root) => runtimeTree(root, children, kernelOf)).filter((m) => !seen.has(m.st.pid) && seen.add(m.st.pid));
};
