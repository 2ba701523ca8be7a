/**
 * Test support for src/usage, not used by the server (left out of the build):
 * - `toSeries`: rows as the store packs them, the reference the store's packed form is checked against;
 * - the object form /hub/api/usage answered until the answer became columns written straight to JSON.
 *   `aggregateObjects` is aggregate() as it was then (commit 0638f96), kept as the reference the columns and
 *   the JSON writer are checked against; changed since only as aggregate's answer was (issue 17: steps start at
 *   multiples of the step, and a step with CPU but no sample of its own takes the memory of the samples whose
 *   CPU reached it).
 */
import type { UsageRow, UsageSeries } from '../core/store.js';
import type { AggregateInput, Total, UsageAnswer } from './aggregate.js';

/**
 * Rows ordered by series then time (UsageRepo.query's order) as UsageRepo.series gives them: the
 * reference the store's packed form is checked against, and a short way to write test data.
 */
export const toSeries = (rows: readonly UsageRow[]): UsageSeries[] => {
  const out: UsageSeries[] = [];
  let cur: UsageSeries | undefined;
  for (const r of rows) {
    if (!cur || cur.user !== r.user || cur.server !== r.server || cur.kernel !== r.kernel) {
      cur = { user: r.user, server: r.server, kernel: r.kernel, t: [], used: [], memory: [] };
      out.push(cur);
    }
    cur.t.push(r.t);
    cur.used.push(Math.max(0, r.cpu - r.cpuFrom));
    cur.memory.push(r.memory);
  }
  return out;
};

export interface Point {
  t: number;
  cpu: number;
  memory: number;
}

export interface Series {
  labels: Record<string, string>;
  points: Point[];
}

/** The object form of an answer: what the route answered before, and what its JSON still parses to. */
export const toObjects = (answer: UsageAnswer): { series: Series[]; totals: Total[] } => ({
  series: answer.series.map((s) => ({ labels: s.labels, points: s.t.map((t, i) => ({ t, cpu: s.cpu[i] as number, memory: s.memory[i] as number })) })),
  totals: answer.totals,
});

interface Group {
  labels: Record<string, string>;
  cpu: Float64Array;
  mem: Float64Array;
  has: Uint8Array;
  cpuTotal: number;
}

export const aggregateObjects = (input: AggregateInput): { series: Series[]; totals: Total[] } => {
  const { from, to, step } = input;
  const origin = Math.floor(from / step) * step;
  const buckets = Math.max(1, Math.ceil((to - origin) / step));
  const bucketOf = (t: number) => Math.min(buckets - 1, Math.max(0, Math.floor((t - origin) / step)));
  // The current series' memory per step from the samples whose CPU was spread into it.
  let spreadMem = new Float64Array(buckets);
  let reached = new Uint8Array(buckets);
  let memory = 0;
  const groups = new Map<string, Group>();

  /** Adds `amount` CPU-seconds used evenly over [a, b] to the buckets it overlaps inside the range. */
  const spread = (g: Group, a: number, b: number, amount: number) => {
    if (amount <= 0) return;
    if (b <= a) {
      if (a >= from && a <= to) {
        g.cpu[bucketOf(a)] = (g.cpu[bucketOf(a)] as number) + amount;
        g.cpuTotal += amount;
        spreadMem[bucketOf(a)] = Math.max(spreadMem[bucketOf(a)] as number, memory);
        reached[bucketOf(a)] = 1;
      }
      return;
    }
    const lo = Math.max(a, from);
    const hi = Math.min(b, to);
    for (let t = lo; t < hi; ) {
      const i = bucketOf(t);
      const end = Math.min(hi, origin + (i + 1) * step);
      const share = (amount * (end - t)) / (b - a);
      g.cpu[i] = (g.cpu[i] as number) + share;
      g.cpuTotal += share;
      if (share > 0) {
        spreadMem[i] = Math.max(spreadMem[i] as number, memory);
        reached[i] = 1;
      }
      t = end;
    }
  };

  const add = (s: UsageSeries) => {
    const labels = s.t.length > 0 ? input.labelsOf(s) : undefined;
    if (!labels) return;
    const key = JSON.stringify(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, cpu: new Float64Array(buckets), mem: new Float64Array(buckets), has: new Uint8Array(buckets), cpuTotal: 0 }));
    const memBucket = new Float64Array(buckets);
    const sampled = new Uint8Array(buckets);
    spreadMem = new Float64Array(buckets);
    reached = new Uint8Array(buckets);
    const interval = input.sampleIntervalMs;
    for (let j = 0; j < s.t.length; j++) {
      const t = s.t[j] as number;
      const used = s.used[j] as number;
      memory = s.memory[j] as number;
      // A rollup's CPU was used over its own bucket (up to now); a raw sample's since the previous sample
      // (a long gap is a pause, not a slow sample: then about one interval).
      if (input.rowWidth > 0) spread(g, t, Math.max(t + 1, Math.min(t + input.rowWidth, input.now)), used);
      else {
        const prevT = j > 0 ? (s.t[j - 1] as number) : undefined;
        spread(g, prevT !== undefined && t - prevT <= 3 * interval ? prevT : t - interval, t, used);
      }
      if (t >= from && t <= to && t < origin + buckets * step) {
        const i = bucketOf(t);
        memBucket[i] = Math.max(memBucket[i] as number, s.memory[j] as number);
        g.has[i] = 1;
        sampled[i] = 1;
      }
    }
    for (let i = 0; i < buckets; i++) {
      if (!sampled[i] && reached[i]) {
        memBucket[i] = spreadMem[i] as number;
        g.has[i] = 1;
      }
      g.mem[i] = (g.mem[i] as number) + (memBucket[i] as number);
    }
  };
  for (const s of input.series) add(s);

  const series: Series[] = [];
  const totals: Total[] = [];
  for (const g of groups.values()) {
    const points: Point[] = [];
    let peak = 0;
    for (let i = 0; i < buckets; i++) {
      if (!g.has[i]) continue;
      // The first and last steps may be cut short by `from` and `to`: their means are over the time they cover.
      const start = origin + i * step;
      const width = Math.max(1, Math.min(start + step, to) - Math.max(start, from));
      points.push({ t: Math.floor(start / 1000), cpu: round((g.cpu[i] as number) / (width / 1000)), memory: g.mem[i] as number });
      peak = Math.max(peak, g.mem[i] as number);
    }
    series.push({ labels: g.labels, points });
    totals.push({ labels: g.labels, cpu_seconds: round(g.cpuTotal), peak_memory: peak });
  }
  totals.sort((a, b) => b.cpu_seconds - a.cpu_seconds);
  return { series, totals };
};

const round = (x: number) => Math.round(x * 1e6) / 1e6;
