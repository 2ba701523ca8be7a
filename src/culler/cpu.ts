import type { RuntimeSnapshot } from '../core/usage.js';

/** The sampler's counters of one runtime at one sweep, as the culler needs them (times ms, CPU seconds). */
export interface CpuReading {
  t: number;
  /**
   * The runtime's CPU counter: every process of its tree, children already reaped included, so a short
   * `make` that came and went between two sweeps is in it.
   */
  total: number;
  /** Its server process's own CPU (null: gone); left out, since a polling tab keeps it busy. */
  root: number | null;
  /** The runtime's counter started at this sweep (a runtime or hub restart): no increment to read yet. */
  fresh: boolean;
  /** Counters of its kernels (a kernel and the processes it started), and whether each started at this sweep. */
  kernels: ReadonlyMap<string, { total: number; fresh: boolean }>;
}

/** The reading a snapshot gives, or null when it has no runtime counter. */
export const cpuReadingOf = (snap: RuntimeSnapshot): CpuReading | null => {
  const runtime = snap.samples.find((s) => s.kernel === null);
  if (!runtime) return null;
  const kernels = new Map<string, { total: number; fresh: boolean }>();
  for (const s of snap.samples) if (s.kernel !== null) kernels.set(s.kernel, { total: s.cpuSecondsTotal, fresh: snap.fresh.includes(s.kernel) });
  return { t: snap.t, total: runtime.cpuSecondsTotal, root: snap.rootCpuSeconds, fresh: snap.fresh.includes(''), kernels };
};

export interface CpuVerdict {
  /** False: no reading newer than `maxAgeMs`, or no earlier one to compare it with. Unknown is not idle. */
  known: boolean;
  /** Cores at or above the threshold between the two readings. */
  busy: boolean;
  /** The later reading's time: when the runtime was last seen so. */
  t: number | null;
  /** Kernels whose own counters went up by at least the threshold. */
  busyKernels: string[];
}

/** What a look keeps for the next one: the reading it used and what it made of it. */
export interface CpuSeen {
  reading: CpuReading;
  verdict: CpuVerdict;
}

const UNKNOWN: CpuVerdict = { known: false, busy: false, t: null, busyKernels: [] };

/**
 * Whether a runtime used CPU (pure), from the change of its counters between the reading the previous
 * look used and the latest one: the runtime's CPU seconds, minus its server process's own, over the time
 * between them, against `threshold` cores. The same reading as before gives the same verdict; a
 * missing, stale (older than `maxAgeMs`) or restarted one is unknown, as is the first.
 */
export const cpuBusy = (prev: CpuSeen | null, cur: CpuReading | null, now: number, maxAgeMs: number, threshold: number): CpuVerdict => {
  if (!cur || now - cur.t > maxAgeMs) return UNKNOWN;
  if (prev && cur.t === prev.reading.t) return prev.verdict;
  const before = prev?.reading;
  if (!before || cur.fresh || cur.t < before.t) return UNKNOWN;
  if (cur.root === null || before.root === null || cur.root < before.root || cur.total < before.total) return UNKNOWN;
  const seconds = (cur.t - before.t) / 1000;
  const cores = (cur.total - before.total - (cur.root - before.root)) / seconds;
  const busyKernels: string[] = [];
  for (const [id, k] of cur.kernels) {
    const was = before.kernels.get(id);
    if (was && !k.fresh && (k.total - was.total) / seconds >= threshold) busyKernels.push(id);
  }
  return { known: true, busy: cores >= threshold, t: cur.t, busyKernels };
};
