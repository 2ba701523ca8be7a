import type { RuntimeProcess } from './process-door.js';

/**
 * "CPU now" and "memory now" (issue 17), one definition for the kernels and processes lists, the runtime
 * page and GET /hub/api/live: a kernel's figures are the sums of its processes', a runtime's the sums of all
 * its processes'. null is "no figure yet" (nothing summed has one), never 0.
 */
export interface LiveFigures {
  /** Cores now. */
  cpu: number | null;
  /** Bytes now. */
  memory: number | null;
}

/** The sum of the figures there are; null when none is there. */
export const sumOrNull = (values: Iterable<number | null | undefined>): number | null => {
  let sum: number | null = null;
  for (const v of values) if (v !== null && v !== undefined) sum = (sum ?? 0) + v;
  return sum;
};

type Live = Pick<RuntimeProcess, 'cpu' | 'memory' | 'kernelId'>;

/** Figures of some processes together. */
export const figuresOf = (procs: readonly Live[]): LiveFigures => ({ cpu: sumOrNull(procs.map((p) => p.cpu)), memory: sumOrNull(procs.map((p) => p.memory)) });

/** A runtime's figures, its kernels' (by kernel id) and how many kernels it runs, from its processes now. */
export const runtimeLive = (procs: readonly Live[]): LiveFigures & { kernels: Map<string, LiveFigures> } => {
  const byKernel = new Map<string, Live[]>();
  for (const p of procs) if (p.kernelId !== null) byKernel.set(p.kernelId, [...(byKernel.get(p.kernelId) ?? []), p]);
  return { ...figuresOf(procs), kernels: new Map([...byKernel].map(([id, list]) => [id, figuresOf(list)])) };
};

/** Per user, the sums of their servers' figures (null where none of their servers has one). */
export const userSums = <S extends LiveFigures & { user: string }>(servers: readonly S[]): Array<LiveFigures & { user: string }> => {
  const byUser = new Map<string, S[]>();
  for (const s of servers) byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
  return [...byUser].map(([user, list]) => ({ user, cpu: sumOrNull(list.map((s) => s.cpu)), memory: sumOrNull(list.map((s) => s.memory)) }));
};
