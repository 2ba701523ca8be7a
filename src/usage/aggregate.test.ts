import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../core/store.js';
import { aggregate } from './aggregate.js';

const row = (user: string, kernel: string, s: number, cpu: number, memory: number, server = ''): UsageRow => ({ user, server, kernel, t: s * 1000, cpu, memory });
const all = () => ({});

describe('aggregate', () => {
  it('gives mean cores per step from counter increments, placed between the samples, and peak memory', () => {
    // One core busy from 10 s to 30 s, sampled every 10 s from the runtime's start at 0 s.
    const rows = [row('a', '', 0, 0, 100), row('a', '', 10, 0, 100), row('a', '', 20, 10, 500), row('a', '', 30, 20, 300), row('a', '', 40, 20, 100)];
    const { series, totals } = aggregate({ rows, from: 0, to: 40_000, step: 10_000, rowWidth: 0, now: 1e15, labelsOf: (r) => ({ user: r.user }) });
    expect(series[0]?.points.map((p) => [p.t, p.cpu, p.memory])).toEqual([[0, 0, 100], [10, 1, 100], [20, 1, 500], [30, 0, 300]]);
    expect(totals).toEqual([{ labels: { user: 'a' }, cpu_seconds: 20, peak_memory: 500 }]);
  });
  it('counts a series that starts inside the range from zero, and sums series into groups', () => {
    const rows = [row('a', '', 5, 10, 10), row('a', '', 15, 20, 10), row('b', '', 12, 3, 20), row('b', '', 15, 5, 20)];
    const { totals } = aggregate({ rows, from: 10_000, to: 20_000, step: 10_000, rowWidth: 0, now: 1e15, labelsOf: all });
    // a: 5 of its 10 s between 5 s and 15 s fall in the range; b: all 5 s (started at 12 s).
    expect(totals).toEqual([{ labels: {}, cpu_seconds: 10, peak_memory: 30 }]);
  });
  it('counts the part of an interval that crosses the end of the range', () => {
    const rows = [row('a', '', 0, 0, 1), row('a', '', 10, 10, 1), row('a', '', 20, 20, 1)];
    expect(aggregate({ rows, from: 5_000, to: 15_000, step: 10_000, rowWidth: 0, now: 1e15, labelsOf: all }).totals[0]?.cpu_seconds).toBe(10);
  });
  it('gives the mean of a last step cut short by the end of the range over the time it covers', () => {
    const rows = [row('a', '', 0, 0, 1), row('a', '', 1, 1, 1), row('a', '', 2, 2, 1), row('a', '', 3, 3, 1), row('a', '', 4, 4, 1)];
    const { series } = aggregate({ rows, from: 0, to: 3_000, step: 2_000, rowWidth: 0, now: 1e15, labelsOf: all });
    expect(series[0]?.points.map((p) => p.cpu)).toEqual([1, 1]);
  });
  it('counts a restart (counter drop) from zero', () => {
    // The row before the range is only the baseline.
    const rows = [row('a', '', -10, 50, 1), row('a', '', 0, 50, 1), row('a', '', 10, 60, 1), row('a', '', 20, 4, 1)];
    expect(aggregate({ rows, from: 0, to: 20_000, step: 20_000, rowWidth: 0, now: 1e15, labelsOf: all }).totals[0]?.cpu_seconds).toBe(14);
  });
  it('reads a rollup row as the CPU of its own bucket, the unfinished current one included', () => {
    const rows = [row('a', '', 0, 60, 1), row('a', '', 60, 90, 1), row('a', '', 120, 95, 1)];
    const { totals, series } = aggregate({ rows, from: 60_000, to: 150_000, step: 60_000, rowWidth: 60_000, now: 150_000, labelsOf: all });
    expect(totals[0]?.cpu_seconds).toBe(35);
    expect(series[0]?.points[0]?.cpu).toBe(0.5);
    expect(series[0]?.points[1]?.cpu).toBeCloseTo(5 / 30, 5);
  });
  it('spreads a rollup over its bucket, so a step that is not a multiple of it reads steady use steadily', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row('a', '', i * 60, (i + 1) * 60, 1));
    const { series } = aggregate({ rows, from: 0, to: 540_000, step: 90_000, rowWidth: 60_000, now: 1e15, labelsOf: all });
    for (const p of series[0]?.points ?? []) expect(p.cpu).toBeCloseTo(1, 6);
  });
  it('leaves out rows without labels', () => {
    const { series } = aggregate({ rows: [row('a', 'k', 0, 1, 1)], from: 0, to: 10_000, step: 10_000, rowWidth: 0, now: 1e15, labelsOf: () => undefined });
    expect(series).toEqual([]);
  });
});
