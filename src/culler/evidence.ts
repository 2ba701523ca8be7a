import type { KernelActivity } from './kernels.js';
import type { CullPolicy } from './policy.js';

/** A kernel as the runtime's own /api/kernels lists it. */
export interface KernelSeen {
  id: string;
  executionState: string | null;
  /** The runtime's record of the kernel's last message, ms; null when it does not say. */
  lastActivity: number | null;
}

export interface ProcessSeen {
  pid: number;
  /** Cores over the last monitoring interval. */
  cpu: number;
  kernelId: string | null;
}

/** One look at a running runtime: its kernels (null: it did not answer) and the sampler's latest sweep of it. */
export interface RuntimeLook {
  t: number;
  /** The previous look's time (null: first look), and the server's last activity as counted before this look. */
  prevT: number | null;
  lastCounted: number | null;
  kernels: readonly KernelSeen[] | null;
  cpu: { t: number; rootPid: number | null; processes: readonly ProcessSeen[] } | null;
}

export interface Judged {
  kernels: Map<string, KernelActivity>;
  /** When the runtime was last seen busy, if this look saw it so and the policy counts busy as activity. */
  activityAt: number | null;
}


/**
 * Turns one look into activity evidence (pure). A busy kernel is active now. A kernel's messages after
 * activity counted since the previous look are the end of what was asked of it: a cell that was seen
 * busy, or one shorter than the look interval, ends at its last message, and the idle clock starts there.
 * Otherwise a kernel's messages alone are not activity (a tab that reconnects sends kernel_info requests).
 * A process at or above the CPU threshold is active at its sample's time; the runtime's root (its server)
 * is left out, since a polling tab is what keeps it busy.
 */
export const judgeLook = (prev: ReadonlyMap<string, KernelActivity>, look: RuntimeLook, policy: CullPolicy): Judged => {
  const kernels = new Map<string, KernelActivity>();
  let busyAt = -Infinity;
  if (look.kernels === null) {
    for (const [id, k] of prev) kernels.set(id, k);
  } else {
    // Activity was counted since the previous look (an execute request, or this kernel seen busy then).
    const answered = look.prevT !== null && look.lastCounted !== null && look.lastCounted >= look.prevT;
    for (const k of look.kernels) {
      const p = prev.get(k.id);
      // Only 'busy': a kernel nobody has talked to stays 'starting' for ever (Jupyter's own culler reads it the same way).
      const busy = k.executionState === 'busy';
      let lastBusy = p?.lastBusy ?? null;
      if (busy) {
        lastBusy = look.t;
        busyAt = look.t;
      } else if (answered && k.lastActivity !== null && k.lastActivity > (look.lastCounted ?? Infinity)) {
        lastBusy = Math.max(lastBusy ?? -Infinity, Math.min(k.lastActivity, look.t));
        busyAt = Math.max(busyAt, lastBusy);
      }
      kernels.set(k.id, { id: k.id, busy, lastMessage: k.lastActivity ?? p?.lastMessage ?? look.t, lastBusy });
    }
  }
  if (look.cpu) {
    for (const proc of look.cpu.processes) {
      if (proc.pid === look.cpu.rootPid || proc.cpu < policy.busyCpuCores) continue;
      busyAt = Math.max(busyAt, look.cpu.t);
      const k = proc.kernelId === null ? undefined : kernels.get(proc.kernelId);
      if (k) kernels.set(k.id, { ...k, lastBusy: Math.max(k.lastBusy ?? -Infinity, look.cpu.t) });
    }
  }
  return { kernels, activityAt: policy.spareBusy && Number.isFinite(busyAt) ? busyAt : null };
};
