import type { UsageRow } from '../core/store.js';

export interface Point {
  t: number;
  cpu: number;
  memory: number;
}

export interface Series {
  labels: Record<string, string>;
  points: Point[];
}

export interface Total {
  labels: Record<string, string>;
  cpu_seconds: number;
  peak_memory: number;
}

export interface AggregateInput {
  /** Rows ordered by series, then time (the store's order), possibly starting a little before `from`. */
  rows: readonly UsageRow[];
  from: number;
  to: number;
  step: number;
  /** Width of a stored row's bucket (0 for raw samples): a rollup's counter is its bucket's last value. */
  rowWidth: number;
  /** The labels a row is grouped under (its group_by), or undefined to leave it out. */
  labelsOf(row: UsageRow): Record<string, string> | undefined;
}

/** Counter value at time x: the last sample at or before x, or undefined. */
const counterAt = (ts: readonly number[], cs: readonly number[], x: number): number | undefined => {
  let lo = 0;
  let hi = ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((ts[mid] as number) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? undefined : cs[found];
};

/**
 * Turns stored counters and gauges into what /hub/api/usage answers: per group, points of mean cores
 * and peak memory per step, and totals over the range. Rates come from counter differences, so a step
 * shows exactly the CPU used in it whatever the sampling interval (DESIGN.md idea 4).
 */
export const aggregate = (input: AggregateInput): { series: Series[]; totals: Total[] } => {
  const { from, to, step } = input;
  const buckets = Math.max(1, Math.ceil((to - from) / step));
  const groups = new Map<string, { labels: Record<string, string>; cpu: Float64Array; mem: Float64Array; has: Uint8Array; cpuTotal: number }>();

  const flush = (series: UsageRow[]) => {
    const labels = series[0] && input.labelsOf(series[0]);
    if (!labels) return;
    const key = JSON.stringify(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, cpu: new Float64Array(buckets), mem: new Float64Array(buckets), has: new Uint8Array(buckets), cpuTotal: 0 }));
    // A rollup row's counter is the value at the end of its bucket.
    const ts = series.map((r) => r.t + input.rowWidth);
    const cs = series.map((r) => r.cpu);
    const memBucket = new Float64Array(buckets);
    for (const r of series) {
      if (r.t < from || r.t > to) continue;
      const i = Math.min(buckets - 1, Math.floor((r.t - from) / step));
      memBucket[i] = Math.max(memBucket[i] as number, r.memory);
      g.has[i] = 1;
    }
    const firstInRange = cs[ts.findIndex((t) => t >= from)] ?? cs[cs.length - 1] ?? 0;
    const start = counterAt(ts, cs, from) ?? firstInRange;
    for (let i = 0; i < buckets; i++) {
      const a = counterAt(ts, cs, from + i * step) ?? start;
      const b = counterAt(ts, cs, Math.min(to, from + (i + 1) * step)) ?? a;
      (g.cpu)[i] = (g.cpu[i] as number) + Math.max(0, b - a) / (step / 1000);
      (g.mem)[i] = (g.mem[i] as number) + (memBucket[i] as number);
    }
    g.cpuTotal += Math.max(0, (counterAt(ts, cs, to) ?? start) - start);
  };

  let current: UsageRow[] = [];
  for (const r of input.rows) {
    const prev = current[0];
    if (prev && (prev.user !== r.user || prev.server !== r.server || prev.kernel !== r.kernel)) {
      flush(current);
      current = [];
    }
    current.push(r);
  }
  if (current.length > 0) flush(current);

  const series: Series[] = [];
  const totals: Total[] = [];
  for (const g of groups.values()) {
    const points: Point[] = [];
    let peak = 0;
    for (let i = 0; i < buckets; i++) {
      if (!g.has[i]) continue;
      points.push({ t: Math.floor((from + i * step) / 1000), cpu: round(g.cpu[i] as number), memory: g.mem[i] as number });
      peak = Math.max(peak, g.mem[i] as number);
    }
    series.push({ labels: g.labels, points });
    totals.push({ labels: g.labels, cpu_seconds: round(g.cpuTotal), peak_memory: peak });
  }
  totals.sort((a, b) => b.cpu_seconds - a.cpu_seconds);
  return { series, totals };
};

const round = (x: number) => Math.round(x * 1e6) / 1e6;
