import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../core/store.js';
import { aggregate, type AggregateInput } from './aggregate.js';
import { toObjects, toSeries } from './testing.js';

/** A row at `s` seconds whose counter went from `cpuFrom` to `cpu`. */
const row = (user: string, kernel: string, s: number, cpuFrom: number, cpu: number, memory: number, server = ''): UsageRow => ({ user, server, kernel, t: s * 1000, cpuFrom, cpu, memory });
const all = () => ({});
const run = ({ rows, ...i }: Partial<Omit<AggregateInput, 'series'>> & Pick<AggregateInput, 'from' | 'to' | 'step'> & { rows: UsageRow[] }) =>
  toObjects(aggregate({ rowWidth: 0, sampleIntervalMs: 10_000, now: 1e15, labelsOf: all, ...i, series: toSeries(rows) }));

describe('aggregate', () => {
  it('gives mean cores per step from what each sample used since the one before, and peak memory', () => {
    // One core busy from 10 s to 30 s, sampled every 10 s from the runtime's start at 0 s.
    const rows = [row('a', '', 0, 0, 0, 100), row('a', '', 10, 0, 0, 100), row('a', '', 20, 0, 10, 500), row('a', '', 30, 10, 20, 300), row('a', '', 40, 20, 20, 100)];
    const { series, totals } = run({ rows, from: 0, to: 40_000, step: 10_000, labelsOf: (r) => ({ user: r.user }) });
    expect(series[0]?.points.map((p) => [p.t, p.cpu, p.memory])).toEqual([[0, 0, 100], [10, 1, 100], [20, 1, 500], [30, 0, 300]]);
    expect(totals).toEqual([{ labels: { user: 'a' }, cpu_seconds: 20, peak_memory: 500 }]);
  });
  it('counts only the part of a sample that falls in the range, and sums series into groups', () => {
    const rows = [row('a', '', 5, 0, 10, 10), row('a', '', 15, 10, 20, 10), row('b', '', 12, 0, 3, 20), row('b', '', 15, 3, 5, 20)];
    const { totals } = run({ rows, from: 10_000, to: 20_000, step: 10_000 });
    // a at 15 s used 10 s over 5–15 s: half inside. b at 12 s used 3 over 2–12 s: 2/10 inside (0.6); at 15 s, 2.
    expect(totals[0]?.cpu_seconds).toBeCloseTo(5 + 0.6 + 2, 6);
    expect(totals[0]?.peak_memory).toBe(30);
  });
  it('counts the part of an interval that crosses the end of the range', () => {
    const rows = [row('a', '', 10, 0, 10, 1), row('a', '', 20, 10, 20, 1)];
    expect(run({ rows, from: 5_000, to: 15_000, step: 10_000 }).totals[0]?.cpu_seconds).toBe(10);
  });
  it('gives the mean of a last step cut short by the end of the range over the time it covers', () => {
    const rows = [1, 2, 3, 4].map((s) => row('a', '', s, s - 1, s, 1));
    const { series } = run({ rows, from: 0, to: 3_000, step: 2_000, sampleIntervalMs: 1_000 });
    expect(series[0]?.points.map((p) => p.cpu)).toEqual([1, 1]);
  });
  it('spreads a sample after a pause over one interval, not over the pause', () => {
    const rows = [row('a', '', 10, 0, 1, 1), row('a', '', 1000, 1, 11, 1)];
    const { series } = run({ rows, from: 0, to: 1_000_000, step: 100_000 });
    expect(series[0]?.points.at(-1)?.cpu).toBeCloseTo(10 / 100, 6);
  });
  it('never counts a counter going backwards', () => {
    expect(run({ rows: [row('a', '', 10, 50, 4, 1)], from: 0, to: 20_000, step: 20_000 }).totals[0]?.cpu_seconds).toBe(0);
  });
  it('reads a rollup row as the CPU of its own bucket, the unfinished current one included', () => {
    const rows = [row('a', '', 60, 60, 90, 1), row('a', '', 120, 90, 95, 1)];
    const { totals, series } = run({ rows, from: 60_000, to: 150_000, step: 60_000, rowWidth: 60_000, now: 150_000 });
    expect(totals[0]?.cpu_seconds).toBe(35);
    expect(series[0]?.points[0]?.cpu).toBe(0.5);
    expect(series[0]?.points[1]?.cpu).toBeCloseTo(5 / 30, 5);
  });
  it('spreads a rollup over its bucket, so a step that is not a multiple of it reads steady use steadily', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row('a', '', i * 60, i * 60, (i + 1) * 60, 1));
    const { series } = run({ rows, from: 0, to: 540_000, step: 90_000, rowWidth: 60_000 });
    for (const p of series[0]?.points ?? []) expect(p.cpu).toBeCloseTo(1, 6);
  });
  it('leaves out rows without labels', () => {
    expect(run({ rows: [row('a', 'k', 0, 0, 1, 1)], from: 0, to: 10_000, step: 10_000, labelsOf: () => undefined }).series).toEqual([]);
  });
  it('starts steps at multiples of the step, so two ranges over the same time give the same points (issue 17)', () => {
    // A busy kernel sampled every 10 s with jitter: two loads 7 s apart of "the last 10 minutes".
    const rows = Array.from({ length: 120 }, (_, i) => row('a', '', 1000 + i * 10 + (i % 3), i * 0.7, (i + 1) * 0.7 + (i % 5 === 0 ? 3 : 0), 100 + (i % 7)));
    const first = run({ rows, from: 1_300_000, to: 1_900_000, step: 60_000 }).series[0]?.points ?? [];
    const second = run({ rows, from: 1_307_000, to: 1_907_000, step: 60_000 }).series[0]?.points ?? [];
    for (const p of [...first, ...second]) expect(p.t % 60).toBe(0);
    // The steps both cover whole (not cut by either range's edges) read the same.
    const whole = (p: { t: number }) => p.t * 1000 >= 1_307_000 && p.t * 1000 + 60_000 <= 1_900_000;
    expect(first.filter(whole)).toEqual(second.filter(whole));
    expect(first.filter(whole).length).toBeGreaterThan(5);
  });
  it('has every CPU-second of a total in some point: the sum of mean × time covered is the total, for random ranges', () => {
    let seed = 17;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = [...Array.from({ length: 200 }, (_, i) => row('a', '', 100 + i * 10, i, i + rand() * 2, 50)), ...Array.from({ length: 50 }, (_, i) => row('a', 'k', 500 + i * 10, i, i + 1, 10))];
    for (let c = 0; c < 200; c++) {
      const from = Math.round((50 + rand() * 2100) * 1000);
      const to = from + Math.round((1 + rand() * 900) * 1000);
      const step = [1, 7, 10, 30, 60, 300][c % 6] as number * 1000;
      const { series, totals } = run({ rows, from, to, step, labelsOf: (r) => ({ user: r.user }) });
      if (totals.length === 0) continue;
      const pts = series[0]?.points ?? [];
      const covered = (t: number) => (Math.min(t * 1000 + step, to) - Math.max(t * 1000, from)) / 1000;
      const sum = pts.reduce((n, p) => n + p.cpu * Math.max(0.001, covered(p.t)), 0);
      expect(Math.abs(sum - (totals[0]?.cpu_seconds ?? 0))).toBeLessThan(1e-6 * (pts.length + 1) * (step / 1000) + 1e-6);
    }
  });
});
