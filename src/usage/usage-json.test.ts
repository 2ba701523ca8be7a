import { describe, expect, it } from 'vitest';
import type { UsageRow } from '../core/store.js';
import { aggregate, type AggregateInput, type UsageAnswer } from './aggregate.js';
import { aggregateObjects, toObjects, toSeries } from './testing.js';
import { usageJson } from './usage-json.js';

/** The body as the route sent it before: fastify's JSON.stringify of the object form, as UTF-8. */
const objectPath = (input: AggregateInput) => Buffer.from(JSON.stringify(aggregateObjects(input)), 'utf8');
const columnPath = (input: AggregateInput) => usageJson(aggregate(input));

/** Both paths give the same bytes, and so parse to the same answer. */
const expectSameBody = (input: AggregateInput) => {
  const before = objectPath(input);
  const now = columnPath(input);
  expect(JSON.parse(now.toString('utf8'))).toEqual(JSON.parse(before.toString('utf8')));
  expect(now.toString('utf8')).toBe(before.toString('utf8'));
  expect(now.equals(before)).toBe(true);
};

/** Deterministic PRNG (mulberry32): the same cases on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const answerWith = (series: UsageAnswer['series']): UsageAnswer => ({
  series,
  totals: series.map((s) => ({ labels: s.labels, cpu_seconds: s.cpu.reduce((a, b) => a + b, 0), peak_memory: Math.max(0, ...s.memory) })),
});

describe('usageJson: /hub/api/usage written from columns', () => {
  it('writes every kind of number as JSON.stringify does: integers past 2^53, exponents, -0, NaN and Infinity as null', () => {
    const odd = [0, -0, 1, -1, 7, 0.1, 1 / 3, -2.5e-7, 1e-7, 0.000001, 123456.789012, 2 ** 31, 2 ** 53 - 1, 2 ** 53 + 2, 2 ** 70, 1e21, -1e21, 9.999e20];
    const extreme = [Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, NaN, Infinity, -Infinity];
    const values = [...odd, ...extreme];
    const answer = answerWith([
      { labels: { user: 'a' }, t: values.map((_, i) => i), cpu: values, memory: [...values].reverse() },
      { labels: { user: 'b' }, t: values, cpu: values.map((x) => x * 3), memory: values.map((x) => -x) },
    ]);
    expect(usageJson(answer).toString('utf8')).toBe(JSON.stringify(toObjects(answer)));
    expect(usageJson(answer).toString('utf8')).toContain('"cpu":null,"memory":null}');
  });

  it('writes labels with quotes, backslashes, control characters and non-ASCII text as JSON.stringify does, in UTF-8', () => {
    const names = ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0000nul', 'ünïcødé', '名前', 'emoji 😀', 'lone \ud800 surrogate', '', 'x'.repeat(5000)];
    const answer = answerWith(names.map((user, i) => ({ labels: { user, server: names[(i + 1) % names.length] as string }, t: [i], cpu: [i / 7], memory: [i * 1e9] })));
    const body = usageJson(answer);
    expect(body.toString('utf8')).toBe(JSON.stringify(toObjects(answer)));
    expect(body.equals(Buffer.from(JSON.stringify(toObjects(answer)), 'utf8'))).toBe(true);
  });

  it('writes an answer with no series, and series with no points', () => {
    expect(usageJson({ series: [], totals: [] }).toString()).toBe('{"series":[],"totals":[]}');
    const answer = answerWith([
      { labels: { user: 'a' }, t: [], cpu: [], memory: [] },
      { labels: { user: 'b' }, t: [5], cpu: [0.5], memory: [10] },
      { labels: {}, t: [], cpu: [], memory: [] },
    ]);
    expect(usageJson(answer).toString()).toBe(JSON.stringify(toObjects(answer)));
  });

  it('grows past its first estimate (long labels, many points)', () => {
    const n = 3000;
    const answer = answerWith([
      { labels: { user: 'l'.repeat(100_000) }, t: Array.from({ length: n }, (_, i) => 1.7e9 + i), cpu: Array.from({ length: n }, (_, i) => -Number.MAX_VALUE / (i + 1)), memory: Array.from({ length: n }, () => -Number.MIN_VALUE) },
    ]);
    expect(usageJson(answer).toString()).toBe(JSON.stringify(toObjects(answer)));
  });
});

describe('aggregate + usageJson against the object path they replace (aggregate as of 0638f96 + JSON.stringify)', () => {
  const row = (user: string, kernel: string, s: number, cpuFrom: number, cpu: number, memory: number, server = ''): UsageRow => ({ user, server, kernel, t: s * 1000, cpuFrom, cpu, memory });
  const input = (rows: UsageRow[], i: Partial<Omit<AggregateInput, 'series'>> & Pick<AggregateInput, 'from' | 'to' | 'step'>): AggregateInput => ({
    rowWidth: 0,
    sampleIntervalMs: 10_000,
    now: 1e15,
    labelsOf: (r) => ({ user: r.user }),
    ...i,
    series: toSeries(rows),
  });

  it('agrees on hand-made edge cases: no rows, empty series, partial last step, rows outside the range, several groups, totals', () => {
    expectSameBody(input([], { from: 0, to: 10_000, step: 10_000 }));
    const empty = { ...input([], { from: 0, to: 60_000, step: 10_000 }), series: [{ user: 'a', server: '', kernel: '', t: [], used: [], memory: [] }] };
    expectSameBody(empty);
    // Only rows after `to` (trailing ones): a group with totals but no points.
    expectSameBody(input([row('a', '', 70, 0, 5, 100), row('a', '', 80, 5, 9, 100)], { from: 0, to: 60_000, step: 10_000 }));
    // A last step cut short, a pause, a counter going backwards, rows before `from`, three groups of two series.
    const rows = [
      ...[3, 13, 23, 33, 43, 400, 410].map((s, i) => row('a', 'k1', s, i, i + 1.25, 1000 + i)),
      ...[5, 15, 25].map((s, i) => row('a', 'k2', s, 10 * i, 10 * i + 3, 50e9 - i)),
      ...[-20, -10, 0, 10].map((s, i) => row('b', '', s, 100, 100 - i, 7)),
      ...[11, 12, 13].map((s, i) => row('c', '', s, i / 3, (i + 1) / 3, 2 ** 33 + i)),
    ];
    for (const labelsOf of [(r: { user: string }) => ({ user: r.user }), (r: { user: string; kernel: string }) => ({ user: r.user, kernel: r.kernel, notebook: `${r.kernel}.ipynb` })])
      expectSameBody(input(rows, { from: 0, to: 415_000, step: 20_000, labelsOf }));
    // Rollup rows: a step that is not a multiple of the row width, the unfinished bucket up to now.
    const rollup = Array.from({ length: 12 }, (_, i) => row(i % 3 ? 'a' : 'b', '', i * 60, i * 60, (i + 1) * 61.7, 2e9 * (i % 4)));
    expectSameBody(input(rollup, { from: 0, to: 700_000, step: 90_000, rowWidth: 60_000, now: 690_000 }));
    // Leaving some series out (labelsOf undefined).
    expectSameBody(input(rows, { from: 0, to: 415_000, step: 7_000, labelsOf: (r) => (r.user === 'b' ? undefined : { user: r.user }) }));
    // 40 groups over 4,000 steps: more groups than the sums are first sized for, so they grow.
    const many = Array.from({ length: 40 }, (_, u) => [10, 20, 3990].map((s, i) => row(`u${String(u).padStart(2, '0')}`, '', s + u, i * u, (i + 1) * u + 0.1, u * 1e6))).flat();
    expectSameBody(input(many, { from: 0, to: 4_000_000, step: 1_000 }));
  });

  it('sums in the same order: a group total is one running sum over its series and their rows', () => {
    // Past 2^53 a double drops a lone +1: (2^53 + 1) + 1 is 2^53, 2^53 + (1 + 1) is 2^53 + 2. Rows of 1,024 ms
    // inside one step keep each row's CPU whole (used × 1024 / 1024).
    const big = 2 ** 53;
    const rows = [row('a', 'k0', 0, 0, big, 1), row('a', 'k1', 0, 0, 1, 1), { ...row('a', 'k1', 0, 1, 2, 1), t: 1024 }];
    const i = input(rows, { from: 0, to: 10_000, step: 10_000, rowWidth: 1024 });
    expectSameBody(i);
    expect(aggregate(i).totals[0]?.cpu_seconds).toBe(big);
  });

  it('agrees, to the byte, on 300 random answers (raw and rollup rows, odd steps and ranges, groups of several series)', () => {
    const rand = prng(20240601);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
    for (let c = 0; c < 300; c++) {
      const rowWidth = pick([0, 0, 60_000, 3_600_000]);
      const gap = rowWidth || pick([1_000, 10_000]);
      const rows: UsageRow[] = [];
      const users = 1 + Math.floor(rand() * 5);
      for (let u = 0; u < users; u++)
        for (const kernel of ['', 'k1', 'k2'].slice(0, 1 + Math.floor(rand() * 3))) {
          let t = Math.floor(rand() * 20) * gap;
          let counter = rand() * 100;
          for (let k = Math.floor(rand() * 40); k > 0; k--) {
            const before = rand() < 0.05 ? counter * 2 : counter; // now and then a counter that went backwards
            counter += rand() < 0.2 ? 0 : rand() * (gap / 1000);
            rows.push({ user: `u${u}`, server: pick(['', 'gpu']), kernel, t, cpuFrom: before, cpu: counter, memory: Math.floor(rand() * 4e9) + pick([0, 0.5]) });
            t += rand() < 0.1 ? gap * 50 : gap; // now and then a pause
          }
        }
      rows.sort((a, b) => a.user.localeCompare(b.user) || a.server.localeCompare(b.server) || a.kernel.localeCompare(b.kernel) || a.t - b.t);
      const from = Math.floor(rand() * 10 * gap) + pick([0, 1_234]);
      const to = from + Math.floor(rand() * 60 * gap) + 1_000;
      const groupBy = pick(['user', 'server', 'kernel'] as const);
      expectSameBody(
        input(rows, {
          from,
          to,
          step: pick([1_000, 7_000, gap, 2 * gap, 5_400_000]),
          rowWidth,
          now: from + Math.floor(rand() * 70 * gap),
          labelsOf: (r): Record<string, string> =>
            groupBy === 'user' ? { user: r.user } : groupBy === 'server' ? { user: r.user, server: r.server } : { user: r.user, server: r.server, kernel: r.kernel },
        }),
      );
    }
  });
});
