import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../core/store.js';
import { aggregate } from './aggregate.js';

const row = (user: string, kernel: string, s: number, cpu: number, memory: number, server = ''): UsageRow => ({ user, server, kernel, t: s * 1000, cpu, memory });

describe('aggregate', () => {
  it('gives mean cores per step from counter differences and peak memory', () => {
    // One core busy from 10 s to 30 s, sampled every 10 s.
    const rows = [row('a', '', 0, 1, 100), row('a', '', 10, 1, 100), row('a', '', 20, 11, 500), row('a', '', 30, 21, 300), row('a', '', 40, 21, 100)];
    const { series, totals } = aggregate({ rows, from: 0, to: 40_000, step: 10_000, rowWidth: 0, labelsOf: (r) => ({ user: r.user }) });
    expect(series[0]?.points.map((p) => [p.t, p.cpu, p.memory])).toEqual([[0, 0, 100], [10, 1, 100], [20, 1, 500], [30, 0, 300]]);
    expect(totals).toEqual([{ labels: { user: 'a' }, cpu_seconds: 20, peak_memory: 500 }]);
  });
  it('uses the sample before the range as the baseline and sums series into groups', () => {
    const rows = [row('a', '', 5, 10, 10), row('a', '', 15, 20, 10), row('b', '', 5, 0, 20), row('b', '', 15, 5, 20)];
    const { totals } = aggregate({ rows, from: 10_000, to: 20_000, step: 10_000, rowWidth: 0, labelsOf: () => ({}) });
    expect(totals).toEqual([{ labels: {}, cpu_seconds: 15, peak_memory: 30 }]);
  });
  it('reads a rollup counter as the end of its bucket', () => {
    const rows = [row('a', '', 0, 60, 1), row('a', '', 60, 90, 1)];
    const { totals, series } = aggregate({ rows, from: 60_000, to: 120_000, step: 60_000, rowWidth: 60_000, labelsOf: () => ({}) });
    expect(totals[0]?.cpu_seconds).toBe(30);
    expect(series[0]?.points[0]?.cpu).toBe(0.5);
  });
  it('leaves out rows without labels', () => {
    const { series } = aggregate({ rows: [row('a', 'k', 0, 1, 1)], from: 0, to: 10_000, step: 10_000, rowWidth: 0, labelsOf: () => undefined });
    expect(series).toEqual([]);
  });
});
