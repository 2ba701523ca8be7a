import type { CullPolicy } from './policy.js';

/** What is known of one kernel inside a runtime. Times are ms; null when never seen. */
export interface KernelActivity {
  id: string;
  /** Busy at the latest look (execution_state busy). */
  busy: boolean;
  /** The kernel's own last message, as its Jupyter server reports it (first seen, when it does not say). */
  lastMessage: number | null;
  /** The latest time the hub saw it busy or its processes above the CPU threshold. */
  lastBusy: number | null;
}

/**
 * Kernels to shut down (pure): idle for the policy's kernel timeout. Under spare_busy a busy kernel is
 * never idle and its busy time counts; without it only the kernel's messages do.
 */
export const idleKernels = (kernels: readonly KernelActivity[], policy: CullPolicy, now: number): string[] => {
  if (!policy.enabled || policy.kernelIdleTimeoutMs <= 0) return [];
  return kernels
    .filter((k) => {
      if (policy.spareBusy && k.busy) return false;
      const last = Math.max(k.lastMessage ?? -Infinity, policy.spareBusy ? (k.lastBusy ?? -Infinity) : -Infinity);
      return Number.isFinite(last) && last + policy.kernelIdleTimeoutMs <= now;
    })
    .map((k) => k.id);
};
