import type { UsageSeries } from '../core/store.js';
import { addGroup, newSums, type Sums } from './sums.js';

/** One group's points as columns: point i is (t[i], cpu[i], memory[i]). Written to JSON by usage-json.ts. */
export interface SeriesColumns {
  labels: Record<string, string>;
  /** Start of each step, Unix seconds: a multiple of the step (floor(t / step) * step), whatever the range. */
  t: number[];
  /** Mean cores over the step. */
  cpu: number[];
  /** Peak bytes over the step (the group's series summed). */
  memory: number[];
}

export interface Total {
  labels: Record<string, string>;
  cpu_seconds: number;
  peak_memory: number;
}

/** What /hub/api/usage answers, its points as columns (no object per point: a month of 1,000 runtimes is ~23,000). */
export interface UsageAnswer {
  series: SeriesColumns[];
  totals: Total[];
}

export interface AggregateInput {
  /**
   * Each series' rows in time order (the store's order). Each says what it used; a raw row after `to`
   * says how much of the interval that ends past the range was used inside it.
   */
  series: readonly UsageSeries[];
  from: number;
  to: number;
  step: number;
  /** Width of a stored row's bucket (0 for raw samples). */
  rowWidth: number;
  /** The sampling interval: a raw sample's CPU was used since the previous sample, about this long before. */
  sampleIntervalMs: number;
  /** The current time: the unfinished rollup bucket has been used only up to it. */
  now: number;
  /** The labels a series is grouped under (its group_by), or undefined to leave it out. */
  labelsOf(series: SeriesKey): Record<string, string> | undefined;
}

export type SeriesKey = Pick<UsageSeries, 'user' | 'server' | 'kernel'>;

interface Group {
  labels: Record<string, string>;
  /** Where the group's buckets start in the Sums arrays. */
  at: number;
  cpuTotal: number;
}

/** The steps of an answer, and how to read its rows. */
interface Grid {
  /** Where the steps start: `from` rounded down to a multiple of the step, so every range cuts the same steps. */
  origin: number;
  from: number;
  to: number;
  step: number;
  buckets: number;
  rowWidth: number;
  interval: number;
  now: number;
}

/**
 * Turns stored rows into what /hub/api/usage answers: per group, points of mean cores and peak memory
 * per step, and totals over the range. Each row's CPU (its counter's increase) is spread over the time it
 * was used in, so a step shows the CPU used in it whatever the sampling interval (DESIGN.md idea 4).
 *
 * The sums are made in the same order as ever (testing.ts keeps the previous version; the tests compare
 * the two to the bit). Nothing is allocated per row, and the loops are module functions rather than
 * closures made per call: the hub runs with a small young generation (bin/nbhub.js), and V8 keeps one
 * optimised copy of a module function across requests, where a fresh closure each time kept deoptimising.
 */
export const aggregate = (input: AggregateInput): UsageAnswer => {
  const { from, to, step, rowWidth, now } = input;
  const origin = Math.floor(from / step) * step;
  const grid: Grid = { origin, from, to, step, buckets: Math.max(1, Math.ceil((to - origin) / step)), rowWidth, interval: input.sampleIntervalMs, now };
  const groups = new Map<string, Group>();
  // Room for a group per series up front, up to 65,536 buckets (or 16 groups): the usual answers never grow them.
  const sums = newSums(grid.buckets, Math.min(input.series.length, Math.max(16, Math.floor(65_536 / grid.buckets))));
  // One series' peak memory per bucket (summed into its group after the series): reused, zeroed where written.
  const seriesMem = new Float64Array(grid.buckets);
  const scratch: Scratch = { sampled: new Uint8Array(grid.buckets), spreadMem: new Float64Array(grid.buckets), spread: new Uint8Array(grid.buckets) };
  for (const s of input.series) {
    const labels = s.t.length > 0 ? input.labelsOf(s) : undefined;
    if (!labels) continue;
    const key = JSON.stringify(labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, at: addGroup(sums), cpuTotal: 0 }));
    addSeries(grid, sums, g, s, seriesMem, scratch);
  }
  const series: SeriesColumns[] = [];
  const totals: Total[] = [];
  for (const g of groups.values()) {
    const columns = columnsOf(grid, sums, g);
    series.push(columns);
    totals.push({ labels: g.labels, cpu_seconds: round(g.cpuTotal), peak_memory: columns.memory.reduce((peak, m) => Math.max(peak, m), 0) });
  }
  totals.sort((a, b) => b.cpu_seconds - a.cpu_seconds);
  return { series, totals };
};

const bucketOf = (grid: Grid, t: number) => Math.min(grid.buckets - 1, Math.max(0, Math.floor((t - grid.origin) / grid.step)));

/**
 * One series' buckets, reused (zeroed where written): which had a sample of it, and the memory of the samples
 * whose CPU was spread into each. A step with CPU but no sample of its own (at the range's edges, or a step
 * shorter than the interval) takes its memory from the samples whose intervals reach into it, so every CPU
 * share the total counts is in some point.
 */
interface Scratch {
  sampled: Uint8Array;
  spreadMem: Float64Array;
  spread: Uint8Array;
}

/** Adds one series' rows to its group: CPU spread over the buckets it was used in, peak memory per bucket. */
const addSeries = (grid: Grid, sums: Sums, g: Group, s: UsageSeries, seriesMem: Float64Array, scratch: Scratch): void => {
  const { origin, from, to, step, rowWidth, interval, now } = grid;
  const { sampled, spreadMem, spread } = scratch;
  const { cpu, has } = sums;
  const at = g.at;
  let cpuTotal = g.cpuTotal;
  let memLo = grid.buckets;
  let memHi = -1;
  const limit = origin + grid.buckets * step;
  for (let j = 0; j < s.t.length; j++) {
    const t = s.t[j] as number;
    const used = s.used[j] as number;
    // The row's own step (-1: outside the range). A row at `to` where a step starts belongs to that step, past
    // the range (a rollup's row is all of it). CPU it spreads into another step is noted for that step's memory.
    const own = t >= from && t <= to && t < limit ? bucketOf(grid, t) : -1;
    // A rollup's CPU was used over its own bucket (up to now); a raw sample's since the previous sample
    // (a long gap is a pause, not a slow sample: then about one interval).
    let a: number;
    let b: number;
    if (rowWidth > 0) {
      a = t;
      b = Math.max(t + 1, Math.min(t + rowWidth, now));
    } else {
      const prevT = j > 0 ? (s.t[j - 1] as number) : undefined;
      a = prevT !== undefined && t - prevT <= 3 * interval ? prevT : t - interval;
      b = t;
    }
    // `used` CPU-seconds used evenly over [a, b], added to the buckets it overlaps inside the range.
    if (!(used <= 0)) {
      if (b <= a) {
        if (a >= from && a <= to) {
          const k = bucketOf(grid, a);
          const i = at + k;
          cpu[i] = (cpu[i] as number) + used;
          cpuTotal += used;
          if (k !== own) {
            spreadMem[k] = Math.max(spreadMem[k] as number, s.memory[j] as number);
            spread[k] = 1;
            if (k < memLo) memLo = k;
            if (k > memHi) memHi = k;
          }
        }
      } else {
        const hi = Math.min(b, to);
        for (let u = Math.max(a, from); u < hi; ) {
          const i = bucketOf(grid, u);
          const end = Math.min(hi, origin + (i + 1) * step);
          const share = (used * (end - u)) / (b - a);
          cpu[at + i] = (cpu[at + i] as number) + share;
          cpuTotal += share;
          if (i !== own && share > 0) {
            spreadMem[i] = Math.max(spreadMem[i] as number, s.memory[j] as number);
            spread[i] = 1;
            if (i < memLo) memLo = i;
            if (i > memHi) memHi = i;
          }
          u = end;
        }
      }
    }
    if (own >= 0) {
      const i = own;
      seriesMem[i] = Math.max(seriesMem[i] as number, s.memory[j] as number);
      sampled[i] = 1;
      has[at + i] = 1;
      if (i < memLo) memLo = i;
      if (i > memHi) memHi = i;
    }
  }
  g.cpuTotal = cpuTotal;
  // Buckets this series did not reach would add 0, which changes no sum (none is -0: a peak starts at +0).
  const { mem } = sums;
  for (let i = memLo; i <= memHi; i++) {
    if (!sampled[i] && spread[i]) {
      seriesMem[i] = spreadMem[i] as number;
      has[at + i] = 1;
    }
    mem[at + i] = (mem[at + i] as number) + (seriesMem[i] as number);
    seriesMem[i] = 0;
    sampled[i] = 0;
    spreadMem[i] = 0;
    spread[i] = 0;
  }
};

/** A group's points: the buckets some series reached, mean cores and summed peak memory. */
const columnsOf = (grid: Grid, sums: Sums, g: Group): SeriesColumns => {
  const { origin, from, to, step } = grid;
  const { cpu: cpuSums, mem, has } = sums;
  const at = g.at;
  const t: number[] = [];
  const cpu: number[] = [];
  const memory: number[] = [];
  for (let i = 0; i < grid.buckets; i++) {
    if (!has[at + i]) continue;
    // The first and last steps may be cut short by `from` and `to`: their means are over the time they cover.
    const start = origin + i * step;
    const width = Math.max(1, Math.min(start + step, to) - Math.max(start, from));
    t.push(Math.floor(start / 1000));
    cpu.push(round((cpuSums[at + i] as number) / (width / 1000)));
    memory.push(mem[at + i] as number);
  }
  return { labels: g.labels, t, cpu, memory };
};

const round = (x: number) => Math.round(x * 1e6) / 1e6;
