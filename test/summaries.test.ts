import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../src/core/executions.js';
import type { UsageRow } from '../src/core/store.js';
import { executionSummary } from '../src/executions/summary.js';
import { memoryStore, type TestStore } from '../src/store/testing.js';
import { parseUsageParams } from '../src/usage/params.js';
import { queryUsage } from '../src/usage/query.js';
import { createTestDatabase } from './helpers/postgres.js';

/**
 * Issue 17's "Must show" for summaries, on generated data in both stores: a kernel that runs cells and idles in
 * turn, sampled every 10 s, one cell still running; over 200 random ranges and picks, every total equals the sum
 * of its rows, in executions ≤ all, idle ≥ 0; and two loads over the same time give the same points.
 */
const NOW = 1_800_000_000_000;
const START = NOW - 3_600_000;
const o = { now: NOW, intervalSeconds: 10, retentionDays: { raw: 2, '1m': 30, '1h': 400, '1d': 1100 } };
const EPS = 1e-9;

/** Deterministic PRNG (mulberry32): the same cases on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const record = (o: Pick<ExecutionRecord, 'id' | 'kernelId' | 'notebook' | 'started' | 'ended' | 'cpuSeconds' | 'status'>): ExecutionRecord => ({
  user: 'ann',
  server: '',
  attribution: 'session',
  candidates: [],
  cellId: null,
  msgId: o.id,
  clientSession: 's',
  executionCount: 1,
  code: 'burn()',
  codeSha256: '',
  codeBytes: 6,
  requested: o.started,
  errorName: null,
  peakMemory: 100_000_000,
  sparkCpuSeconds: null,
  ...o,
});

/**
 * Two kernels over the last hour: cells burning one core for 5–60 s, idle gaps of 10–120 s at 0.02 core; a
 * sample every 10 s (±1 s); the last cell of k1 still running at NOW. Returns the rows, the stored executions
 * and the running one as the recorder has it (its CPU so far).
 */
const generate = () => {
  const rand = prng(17);
  const rows: UsageRow[] = [];
  const executions: ExecutionRecord[] = [];
  let running: ExecutionRecord | undefined;
  for (const [k, kernel] of ['k1', 'k2'].entries()) {
    // What the kernel's counter reads at time t: its cells' CPU plus the idle trickle.
    const cells: Array<[number, number]> = [];
    let t = START + rand() * 30_000;
    for (; t < NOW - 200_000; ) {
      const run = 5_000 + rand() * 55_000;
      cells.push([t, t + run]);
      t += run + 10_000 + rand() * 110_000;
    }
    // k1's last cell still runs.
    if (k === 0) cells.push([Math.max(t, NOW - 45_000), NOW + 60_000]);
    const counter = (t: number) => {
      let c = (t - START) * 0.00002;
      for (const [a, b] of cells) if (t > a) c += (Math.min(t, b) - a) / 1000;
      return c;
    };
    let prev = 0;
    for (let t = START; t <= NOW; t += 10_000) {
      const at = Math.round(t + (rand() - 0.5) * 2000);
      const c = counter(at);
      rows.push({ user: 'ann', server: '', kernel, t: at, cpuFrom: prev, cpu: c, memory: 50_000_000 + Math.round(rand() * 1e7) });
      prev = c;
    }
    cells.forEach(([a, b], i) => {
      const rec = record({
        id: `${kernel}-${i}`,
        kernelId: kernel,
        notebook: i % 3 === 0 ? 'b.ipynb' : k === 0 ? 'a.ipynb' : 'c.ipynb',
        started: Math.round(a),
        ended: b > NOW ? null : Math.round(b),
        status: b > NOW ? 'running' : 'ok',
        cpuSeconds: b > NOW ? null : Math.round((counter(b) - counter(a)) * 1000) / 1000,
      });
      executions.push(rec);
      if (b > NOW) running = { ...rec, cpuSeconds: Math.round((counter(NOW) - counter(a)) * 1000) / 1000 };
    });
  }
  return { rows, executions, running };
};

const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);

const checks = (open: () => Promise<{ store: TestStore; close: () => Promise<void> }>) => () => {
  let store: TestStore;
  let close: (() => Promise<void>) | undefined;
  const data = generate();
  const tracker = { inProgress: async () => (data.running ? [{ ...data.running }] : []) };
  beforeAll(async () => {
    ({ store, close } = await open());
    await store.usage.write(data.rows);
    await store.usage.noteNotebooks(
      [...new Set(data.executions.map((e) => `${e.kernelId}\u0000${e.notebook ?? ''}`))].map((s) => {
        const [kernel, notebook] = s.split('\u0000') as [string, string];
        return { user: 'ann', server: '', kernel, notebook };
      }),
      NOW,
    );
    await store.executions.put(data.executions);
  });
  afterAll(async () => close?.());

  it('has a cell still running, and counts what it used so far', async () => {
    expect(data.running).toBeDefined();
    const s = await executionSummary(store, tracker, { user: 'ann', since: NOW - 600_000, until: NOW }, o);
    const running = data.running as ExecutionRecord;
    const storedOnly = await executionSummary(store, null, { user: 'ann', since: NOW - 600_000, until: NOW }, o);
    const inside = Math.min(1, (NOW - (NOW - 600_000)) / (NOW - running.started));
    expect(s.totals.executionCpuSeconds - storedOnly.totals.executionCpuSeconds).toBeCloseTo((running.cpuSeconds ?? 0) * inside, 2);
    expect(running.cpuSeconds).toBeGreaterThan(1);
  });

  it('over 200 random ranges and picks: totals are the sums of the rows, in executions ≤ all, idle ≥ 0', async () => {
    const rand = prng(4242);
    for (let c = 0; c < 200; c++) {
      // Half ranges of any length, half picks: one chart step around a point.
      const pick = c % 2 === 1;
      const step = [10_000, 60_000, 300_000][c % 3] as number;
      const since = pick ? START + Math.floor((rand() * 3_600_000) / step) * step : START + Math.round(rand() * 3_500_000);
      const until = pick ? since + step : Math.min(NOW, since + 1000 + Math.round(rand() * (NOW - since)));
      const notebook = c % 7 === 0 ? 'b.ipynb' : undefined;
      const q = { user: 'ann', since, until, ...(notebook ? { notebook } : {}) };
      const s = await executionSummary(store, tracker, q, o);
      const where = `case ${c}: ${new Date(since).toISOString()}–${new Date(until).toISOString()}${notebook ? ` ${notebook}` : ''}`;
      expect(Math.abs(s.totals.cpuSeconds - sum(s.notebooks.map((n) => n.cpuSeconds))), where).toBeLessThan(EPS);
      expect(s.totals.runs, where).toBe(sum(s.notebooks.map((n) => n.runs)));
      expect(Math.abs(s.totals.executionCpuSeconds - sum(s.kernels.map((k) => k.executionCpuSeconds))), where).toBeLessThan(EPS);
      expect(Math.abs(s.totals.kernelCpuSeconds - sum(s.kernels.map((k) => k.cpuSeconds))), where).toBeLessThan(EPS);
      expect(Math.abs(s.totals.idleCpuSeconds - sum(s.kernels.map((k) => k.idleCpuSeconds))), where).toBeLessThan(EPS);
      // The notebooks' CPU is the executions' CPU, counted the same way in both tables.
      expect(Math.abs(s.totals.cpuSeconds - s.totals.executionCpuSeconds), where).toBeLessThan(EPS);
      expect(s.totals.executionCpuSeconds, where).toBeLessThanOrEqual(s.totals.kernelCpuSeconds + EPS);
      for (const k of s.kernels) {
        expect(k.idleCpuSeconds ?? 0, where).toBeGreaterThanOrEqual(0);
        expect(k.executionCpuSeconds, where).toBeLessThanOrEqual((k.cpuSeconds ?? 0) + EPS);
        expect(Math.abs((k.cpuSeconds ?? 0) - k.executionCpuSeconds - (k.idleCpuSeconds ?? 0)), where).toBeLessThan(EPS);
      }
      // No execution counts more than the range holds: its kernel burns 1.02 cores at most.
      expect(s.totals.executionCpuSeconds, where).toBeLessThanOrEqual((2 * 1.02 * (until - since)) / 1000 + 0.01);

      // The usage answer over the same range: each group's total is its points' CPU over the time they cover.
      const usage = await queryUsage(store, parseUsageParams({ user: 'ann', group_by: 'kernel', from: String(since / 1000), to: String(until / 1000), step: String(step / 1000) }, o), NOW);
      const byNotebook = await queryUsage(store, parseUsageParams({ user: 'ann', group_by: 'notebook', from: String(since / 1000), to: String(until / 1000), step: String(step / 1000) }, o), NOW);
      expect(Math.abs(sum(usage.totals.map((t) => t.cpu_seconds)) - sum(byNotebook.totals.map((t) => t.cpu_seconds))), where).toBeLessThan(1e-5);
      for (const g of usage.series) {
        const total = usage.totals.find((t) => JSON.stringify(t.labels) === JSON.stringify(g.labels))?.cpu_seconds ?? 0;
        // A rollup row stands for its whole bucket: the answer's range starts at the bucket holding `since`.
        const width = step >= 60_000 ? 60_000 : 0;
        const from = width > 0 ? Math.floor(since / width) * width : since;
        const covered = (t: number) => Math.max(0.001, (Math.min(t * 1000 + step, until) - Math.max(t * 1000, from)) / 1000);
        const points = g.t.reduce((n, t, i) => n + (g.cpu[i] as number) * covered(t), 0);
        expect(Math.abs(points - total), where).toBeLessThan(1e-6 * (g.t.length + 1) * (step / 1000) + 1e-5);
      }
    }
  });

  it('gives the same points for the same time on two loads of a moving range (steps aligned to the step)', async () => {
    const load = async (to: number) =>
      queryUsage(store, parseUsageParams({ user: 'ann', group_by: 'kernel', from: String((to - 1_800_000) / 1000), to: String(to / 1000), step: '60' }, o), NOW);
    const a = await load(NOW - 300_000);
    const b = await load(NOW - 300_000 + 17_000);
    const whole = (t: number) => t * 1000 >= NOW - 300_000 + 17_000 - 1_800_000 && t * 1000 + 60_000 <= NOW - 300_000;
    for (const [i, s] of a.series.entries()) {
      const other = b.series[i];
      const pts = (x: typeof s) => x.t.map((t, j) => [t, x.cpu[j], x.memory[j]]).filter(([t]) => whole(t as number));
      expect(pts(s).length).toBeGreaterThan(20);
      expect(other && pts(other)).toEqual(pts(s));
      for (const t of s.t) expect(t % 60).toBe(0);
    }
  });
};

describe('summaries that add up, on SQLite', checks(async () => {
  const store = await memoryStore();
  return { store, close: () => store.close() };
}));

describe('summaries that add up, on PostgreSQL', checks(async () => {
  const { createPostgresStore } = await import('../src/store/postgres/postgres-store.js');
  const database = await createTestDatabase('nbhub_test');
  const store = createPostgresStore(database.url);
  await store.migrate();
  return {
    store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}));
