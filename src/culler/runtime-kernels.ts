import { callRuntime } from '../agent/jupyter-api.js';
import type { RunningRuntime } from '../core/usage.js';
import type { KernelSeen } from './evidence.js';

interface KernelModel {
  id?: unknown;
  execution_state?: unknown;
  last_activity?: unknown;
}

const time = (v: unknown): number | null => {
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : null;
};

/**
 * A runtime's kernels from its own /api/kernels. A runtime without that API (not Jupyter: 404) has none;
 * anything else unexpected throws, and the look keeps what it knew.
 */
export const kernelsOf = async (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>): Promise<KernelSeen[]> => {
  const res = await callRuntime(rt, 'GET', 'api/kernels', 2000);
  if (res.status === 404) return [];
  if (res.status !== 200 || !Array.isArray(res.body)) throw new Error(`GET api/kernels answered ${res.status}`);
  return (res.body as KernelModel[]).flatMap((k) =>
    typeof k.id === 'string'
      ? [{ id: k.id, executionState: typeof k.execution_state === 'string' ? k.execution_state : null, lastActivity: time(k.last_activity) }]
      : [],
  );
};

/** Shuts one kernel down through the runtime's API; a kernel already gone is fine. */
export const shutdownKernel = async (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>, id: string): Promise<void> => {
  const res = await callRuntime(rt, 'DELETE', `api/kernels/${encodeURIComponent(id)}`, 10_000);
  if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE api/kernels/${id} answered ${res.status}`);
};
