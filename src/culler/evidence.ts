import { cpuBusy, type CpuReading, type CpuSeen } from './cpu.js';
import type { KernelActivity } from './kernels.js';
import type { CullPolicy } from './policy.js';

/** A kernel as the runtime's own /api/kernels lists it. */
export interface KernelSeen {
  id: string;
  executionState: string | null;
  /** The runtime's record of the kernel's last message, ms; null when it does not say. */
  lastActivity: number | null;
}

/** One look at a running runtime. */
export interface RuntimeLook {
  t: number;
  /** The previous successful look's time (null: none yet), and the server's last activity as counted before this look. */
  prevT: number | null;
  lastCounted: number | null;
  /** Its kernels; 'failed' when its API did not answer (a timeout, an error): unknown, not none. */
  kernels: readonly KernelSeen[] | 'failed';
  /**
   * Its CPU, from the sampler: what the previous look made of its reading, and the latest reading (null:
   * none; unknown when older than `maxAgeMs`). Null as a whole when there is no CPU evidence to expect
   * (no local sampler).
   */
  cpu: { prev: CpuSeen | null; cur: CpuReading | null; maxAgeMs: number } | null;
}

export interface Judged {
  kernels: Map<string, KernelActivity>;
  /** When the runtime was last seen busy, if this look saw it so and the policy counts busy as activity. */
  activityAt: number | null;
  /**
   * Whether this look could tell busy from idle. A runtime whose API did not answer, or whose CPU has no
   * fresh reading, is unknown: never evidence of idleness.
   */
  known: boolean;
  /** Busy at this look: a kernel busy (or last seen busy, when unknown) or its CPU at the threshold. */
  busy: boolean;
  /** What to hand the next look as `cpu.prev` (the previous one, when there was no new reading). */
  cpu: CpuSeen | null;
}

/**
 * Turns one look into activity evidence (pure). A busy kernel is active now. A kernel's messages after
 * activity counted since the previous look are the end of what was asked of it: a cell that was seen
 * busy, or one shorter than the look interval, ends at its last message, and the idle clock starts there.
 * Otherwise a kernel's messages alone are not activity (a tab that reconnects sends kernel_info requests).
 * When the kernels cannot be read, those last seen busy are still busy (a sleeping cell does not end
 * because its server is slow to answer). The runtime's CPU, its server process left out, at or above the
 * threshold between two sampler readings is activity at the later one (cpu.ts).
 */
export const judgeLook = (prev: ReadonlyMap<string, KernelActivity>, look: RuntimeLook, policy: CullPolicy): Judged => {
  const kernels = new Map<string, KernelActivity>();
  let busyAt = -Infinity;
  if (look.kernels === 'failed') {
    for (const [id, k] of prev) {
      if (k.busy) {
        kernels.set(id, { ...k, lastBusy: look.t });
        busyAt = look.t;
      } else kernels.set(id, k);
    }
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
  let cpuKnown = true;
  let cpuBusyNow = false;
  let cpu: CpuSeen | null = null;
  if (look.cpu) {
    const c = cpuBusy(look.cpu.prev, look.cpu.cur, look.t, look.cpu.maxAgeMs, policy.busyCpuCores);
    cpu = look.cpu.cur ? { reading: look.cpu.cur, verdict: c } : look.cpu.prev;
    cpuKnown = c.known;
    cpuBusyNow = c.busy;
    if (c.busy && c.t !== null) busyAt = Math.max(busyAt, c.t);
    for (const id of c.busyKernels) {
      const k = kernels.get(id);
      if (k && c.t !== null) kernels.set(id, { ...k, lastBusy: Math.max(k.lastBusy ?? -Infinity, c.t) });
    }
  }
  const known = look.kernels !== 'failed' && cpuKnown;
  const busy = [...kernels.values()].some((k) => k.busy) || cpuBusyNow;
  return { kernels, activityAt: policy.spareBusy && Number.isFinite(busyAt) ? busyAt : null, known, busy, cpu };
};

/** What the probe remembers of how its looks at one runtime went (times in ms). */
export interface LookHealth {
  /** The first look at the runtime (since the hub started). */
  firstLook: number;
  /** Since when every look failed to tell (null: the latest look was known). */
  unknownSince: number | null;
  /** The latest look that could tell, and whether it saw the runtime busy. */
  lastKnown: { t: number; busy: boolean } | null;
}

/**
 * Whether an idle verdict may be acted on (pure). After a known look, yes. While looks fail, only once the
 * last known look saw the runtime idle and is itself older than the idle timeout (or, if no look ever
 * told, the first look is): a runtime whose API stays unreachable is stopped in the end, one last seen
 * busy is not (its maximum age still applies).
 */
export const idleStopAllowed = (h: LookHealth | undefined, policy: CullPolicy, now: number): boolean => {
  if (!h || h.unknownSince === null || !policy.spareBusy) return true;
  if (h.lastKnown) return !h.lastKnown.busy && h.lastKnown.t + policy.idleTimeoutMs <= now;
  return h.firstLook + policy.idleTimeoutMs <= now;
};
