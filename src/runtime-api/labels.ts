import type { KernelLabels, RuntimeSession } from '../core/runtime-client.js';

/**
 * The one labelling rule (KernelLabels): every session with a kernel is labelled by its path, whatever its
 * type. Usage, executions, metrics and the console all read labels from here, so they name a kernel alike.
 */
export const labelsByKernel = (sessions: readonly RuntimeSession[]): KernelLabels => {
  const out: Record<string, Set<string>> = {};
  for (const s of sessions) if (s.kernel) (out[s.kernel.id] ??= new Set()).add(s.path);
  // Two sessions may name the same path on one kernel: each once, in one order.
  return Object.fromEntries(Object.entries(out).map(([id, paths]) => [id, [...paths].sort()]));
};
