import { RuntimeApiError, type RuntimeClient } from '../core/runtime-client.js';
import type { RunningRuntime } from '../core/usage.js';
import type { KernelSeen } from './evidence.js';

/**
 * What the culler asks of a runtime's API. A runtime without the kernels API (not Jupyter: 404) has none;
 * any other failure throws, and the look keeps what it knew. A kernel already gone is shut down.
 */
export const runtimeKernels = (api: Pick<RuntimeClient, 'kernels' | 'act'>) => ({
  kernelsOf: async (rt: RunningRuntime): Promise<KernelSeen[]> => {
    try {
      return await api.kernels(rt);
    } catch (err) {
      if (err instanceof RuntimeApiError && err.failure === 'status' && err.status === 404) return [];
      throw err;
    }
  },
  shutdownKernel: async (rt: RunningRuntime, id: string): Promise<void> => {
    await api.act(rt, id, 'shutdown');
  },
});
