import type { UsageSeries } from './types.js';

/** One line or stacked area of a time chart, on the chart's shared time axis. */
export interface ChartSeries {
  /** Stable identity (colour, and whether the chart must be rebuilt). */
  key: string;
  label: string;
  /** One value per time of the chart; null where the series has no point. */
  values: Array<number | null>;
  /** Stacked on the series before it (an area), or a line of its own. */
  stacked: boolean;
}

export interface ChartData {
  /** Unix seconds, ascending. */
  times: number[];
  series: ChartSeries[];
}

export type Metric = 'cpu' | 'memory';

export interface ChartInput {
  key: string;
  label: string;
  stacked: boolean;
  source: UsageSeries;
}

/** Puts usage series (each with its own timestamps) on one time axis: the union of their times. */
export const alignUsage = (inputs: ChartInput[], metric: Metric): ChartData => {
  const times = [...new Set(inputs.flatMap((i) => i.source.points.map((p) => p.t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = inputs.map((input) => {
    const values: Array<number | null> = times.map(() => null);
    for (const p of input.source.points) {
      const v = p[metric];
      const i = index.get(p.t);
      if (i !== undefined && typeof v === 'number' && Number.isFinite(v)) values[i] = v;
    }
    return { key: input.key, label: input.label, stacked: input.stacked, values };
  });
  return { times, series };
};

/** How many of a chart's values are real points (for a test or an empty-chart note). */
export const pointCount = (d: ChartData): number => d.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);

const weight = (s: UsageSeries): number => s.points.reduce((n, p) => n + (p.cpu ?? 0), 0);

/**
 * The `keep` series that used the most CPU, and the rest summed into one "others" series (CPU summed, memory summed:
 * an upper bound of their peak together), so a chart of a thousand users stays readable.
 */
export const foldOthers = (series: UsageSeries[], keep: number): { top: UsageSeries[]; others: UsageSeries | undefined } => {
  if (series.length <= keep + 1) return { top: series, others: undefined };
  const sorted = [...series].sort((a, b) => weight(b) - weight(a));
  const byTime = new Map<number, { cpu: number; memory: number }>();
  for (const s of sorted.slice(keep))
    for (const p of s.points) {
      const acc = byTime.get(p.t) ?? { cpu: 0, memory: 0 };
      acc.cpu += p.cpu ?? 0;
      acc.memory += p.memory ?? 0;
      byTime.set(p.t, acc);
    }
  const points = [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, ...v }));
  return { top: sorted.slice(0, keep), others: { labels: {}, points } };
};

/**
 * Stacks the stacked series (a missing value counts as 0) in order, skipping hidden ones; lines stay as they are.
 * `bands` are uPlot's: each stacked series (1-based, after the time column) fills down to the stacked series below it.
 */
export const stack = (
  series: ChartSeries[],
  hidden: (i: number) => boolean = () => false,
): { values: Array<Array<number | null>>; bands: Array<{ series: [number, number] }> } => {
  const length = series[0]?.values.length ?? 0;
  const sum: number[] = Array.from({ length }, () => 0);
  const values: Array<Array<number | null>> = [];
  const bands: Array<{ series: [number, number] }> = [];
  let below = -1;
  series.forEach((s, i) => {
    if (!s.stacked || hidden(i)) {
      values.push(s.values);
      return;
    }
    values.push(s.values.map((v, j) => (sum[j] = (sum[j] ?? 0) + (v ?? 0))));
    if (below >= 0) bands.push({ series: [i + 1, below + 1] });
    below = i;
  });
  return { values, bands };
};
