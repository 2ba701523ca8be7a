/**
 * "CPU now" of a runtime's processes (issue 17): a rate since an earlier reading of the same tree's counters,
 * at least MIN_GAP_S apart, never since the last sweep. Pure: the readings come from live-reader.ts.
 */

/** One process in a counter reading. */
export interface Counted {
  pid: number;
  ppid: number;
  /** Start time, seconds since boot (the same clock as CounterReading.t): with the pid, which process it is. */
  start: number;
  /** utime + stime + cutime + cstime, seconds: what the process and its reaped children used. */
  cpuSeconds: number;
}

/** The counters of a runtime's tree at one moment; `t` is seconds since boot (/proc/uptime), like `start`. */
export interface CounterReading {
  t: number;
  procs: readonly Counted[];
}

/** A rate is taken over at least this long (shorter is mostly clock-tick noise). */
export const MIN_GAP_S = 1;
/** An older reading is not "now" any more: a fresh pair is taken instead. */
export const MAX_AGE_S = 5;

const keyOf = (p: { pid: number; start: number }) => `${p.pid}:${p.start}`;

/** The newest kept reading that is between MIN_GAP_S and MAX_AGE_S old at `now`, if any. */
export const baseFor = (kept: readonly CounterReading[], now: number): CounterReading | undefined => {
  let best: CounterReading | undefined;
  for (const r of kept) if (now - r.t >= MIN_GAP_S && now - r.t <= MAX_AGE_S && (!best || r.t > best.t)) best = r;
  return best;
};

/** The readings worth keeping at `now`: not older than MAX_AGE_S, at most `max` of the newest. */
export const prune = (kept: readonly CounterReading[], now: number, max = 8): CounterReading[] =>
  kept.filter((r) => now - r.t <= MAX_AGE_S).sort((a, b) => b.t - a.t).slice(0, max);

/** Kept readings are at least this far apart, so that however often one is asked, one 1 to 5 s old is kept. */
export const KEEP_SPACING_S = 0.25;

/** The kept readings after `r` is taken: `r` joins them unless one was taken less than KEEP_SPACING_S before it. */
export const remember = (kept: readonly CounterReading[], r: CounterReading): CounterReading[] =>
  prune(kept.some((x) => Math.abs(r.t - x.t) < KEEP_SPACING_S) ? kept : [r, ...kept], r.t);

/**
 * Cores each process of `cur` used since `prev` (by `pid:start`), or null for no figure yet. A process
 * that was there before: its counter's growth over the time between. One that started since: its whole
 * counter over its age, null while it is younger than MIN_GAP_S. One that was already running but was
 * not in the tree before: null (no earlier counter of it). A process that ended since `prev` and was
 * reaped moved its counter into an ancestor's cutime; that part is taken off the nearest ancestor still
 * there, so the kernel's and the runtime's sums count it once.
 */
export const liveRates = (prev: CounterReading, cur: CounterReading): Map<string, number | null> => {
  const dt = cur.t - prev.t;
  const before = new Map(prev.procs.map((p) => [keyOf(p), p]));
  const beforeByPid = new Map(prev.procs.map((p) => [p.pid, p]));
  const now = new Map(cur.procs.map((p) => [keyOf(p), p]));
  const nowByPid = new Map(cur.procs.map((p) => [p.pid, p]));
  // What the processes gone since `prev` had used then, by the nearest ancestor still there.
  const reaped = new Map<string, number>();
  for (const p of prev.procs) {
    if (now.has(keyOf(p))) continue;
    let up = beforeByPid.get(p.ppid);
    for (let hops = 0; up && !now.has(keyOf(up)) && hops < 1000; hops++) up = beforeByPid.get(up.ppid);
    if (!up) continue;
    const heir = nowByPid.get(up.pid);
    if (heir && heir.start === up.start) reaped.set(keyOf(heir), (reaped.get(keyOf(heir)) ?? 0) + p.cpuSeconds);
  }
  const out = new Map<string, number | null>();
  for (const p of cur.procs) {
    const key = keyOf(p);
    const was = before.get(key);
    let rate: number | null;
    if (was) rate = dt > 0 ? (p.cpuSeconds - was.cpuSeconds - (reaped.get(key) ?? 0)) / dt : null;
    else if (p.start >= prev.t) rate = cur.t - p.start >= MIN_GAP_S ? (p.cpuSeconds - (reaped.get(key) ?? 0)) / (cur.t - p.start) : null;
    else rate = null;
    out.set(key, rate === null ? null : Math.max(0, rate));
  }
  return out;
};

export const countedKey = keyOf;
