import type { Session } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions, run } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic PRNG (mulberry32): the same cases on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

interface Summary {
  notebooks: Array<{ notebook: string | null; runs: number; errors: number; cpu_seconds: number }>;
  kernels: Array<{ kernel_id: string; cpu_seconds: number | null; execution_cpu_seconds: number; idle_cpu_seconds: number | null }>;
  totals: { runs: number; errors: number; cpu_seconds: number; kernel_cpu_seconds: number; execution_cpu_seconds: number; idle_cpu_seconds: number };
}
interface Usage {
  series: Array<{ labels: Record<string, string>; points: Array<{ t: number; cpu: number; memory: number }> }>;
  totals: Array<{ labels: Record<string, string>; cpu_seconds: number; peak_memory: number }>;
}

const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);

/**
 * Issue 17's "Must show" for summaries, against the API of a hub with the default monitoring interval (10 s)
 * and a real kernel that runs CPU-burning cells and idles in turn.
 */
describe('summaries that add up, with a real kernel and the default monitoring interval', () => {
  let hub: TestHub;
  let alice: string;
  let m: ReturnType<typeof managers>;
  let session: Session.ISessionConnection;
  let kernelId: string;
  let began = 0;

  beforeAll(async () => {
    hub = await startTestHub();
    alice = hub.addUser('alice');
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'sums.ipynb', type: 'notebook', name: 'sums.ipynb', kernel: { name: 'python3' } });
    kernelId = session.kernel?.id as string;
    began = Date.now();
  }, 120_000);
  afterAll(async () => {
    m?.dispose();
    await hub?.dispose();
  });

  const summary = async (query = ''): Promise<Summary> => {
    const r = await hub.api(`/hub/api/executions/summary?user=alice${query}`, { token: alice });
    expect(r.status).toBe(200);
    return (await r.json()) as Summary;
  };
  const usage = async (query: string): Promise<Usage> => {
    const r = await hub.api(`/hub/api/usage?user=alice${query}`, { token: alice });
    expect(r.status).toBe(200);
    return (await r.json()) as Usage;
  };
  const notebookCpu = (s: Summary) => s.notebooks.find((n) => n.notebook === 'sums.ipynb')?.cpu_seconds ?? 0;

  it(
    'counts a cell’s CPU toward its notebook while it runs and right after it ends (never 0), and idles between cells',
    async () => {
      const kernel = session.kernel!;
      await run(kernel, 'x = 1');
      await sleep(12_000);
      // A 6 s burn: half-way, the running cell already counts what it used so far.
      const burning = run(kernel, burn(6));
      await sleep(4_000);
      const during = await summary();
      expect(notebookCpu(during)).toBeGreaterThan(1);
      expect(during.totals.execution_cpu_seconds).toBeLessThanOrEqual(during.totals.kernel_cpu_seconds);
      const burnt = Number((await burning).output);
      // Right after it ended: the cell's whole CPU, before any stored sample has caught up.
      const after = await summary();
      expect(notebookCpu(after)).toBeGreaterThanOrEqual(burnt * 0.95);
      await sleep(12_000);
      await run(kernel, burn(3));
      await sleep(12_000);
      await run(kernel, burn(2));
      await sleep(15_000);
      const ended = await endedExecutions(hub, `kernel=${kernelId}`, alice, 4);
      expect(ended.map((e) => e.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      const final = await summary();
      expect(notebookCpu(final)).toBeCloseTo(sum(ended.map((e) => e.cpu_seconds)), 2);
    },
    150_000,
  );

  it(
    'over 200 random ranges and picks: every total is the sum of its rows, in executions ≤ all, idle ≥ 0',
    async () => {
      const rand = prng(1717);
      const end = Date.now();
      const span = end - began;
      for (let c = 0; c < 200; c++) {
        const pick = c % 2 === 1;
        const step = [10, 30, 60][c % 3] as number;
        // A pick is one chart step (aligned to the step, as the chart's points are); a range anything inside the run.
        const since = pick ? Math.floor((began + rand() * span) / 1000 / step) * step * 1000 : began + Math.round(rand() * span * 0.9);
        const until = pick ? since + step * 1000 : Math.min(end, since + 1000 + Math.round(rand() * (end - since)));
        const range = `&since=${since / 1000}&until=${until / 1000}`;
        const where = `case ${c}: ${new Date(since).toISOString()}–${new Date(until).toISOString()}`;
        const s = await summary(range);
        expect(Math.abs(s.totals.cpu_seconds - sum(s.notebooks.map((n) => n.cpu_seconds))), where).toBeLessThan(1e-6);
        expect(s.totals.runs, where).toBe(sum(s.notebooks.map((n) => n.runs)));
        expect(Math.abs(s.totals.kernel_cpu_seconds - sum(s.kernels.map((k) => k.cpu_seconds))), where).toBeLessThan(1e-6);
        expect(Math.abs(s.totals.execution_cpu_seconds - sum(s.kernels.map((k) => k.execution_cpu_seconds))), where).toBeLessThan(1e-6);
        expect(Math.abs(s.totals.idle_cpu_seconds - sum(s.kernels.map((k) => k.idle_cpu_seconds))), where).toBeLessThan(1e-6);
        expect(Math.abs(s.totals.cpu_seconds - s.totals.execution_cpu_seconds), where).toBeLessThan(1e-6);
        for (const k of s.kernels) {
          expect(k.execution_cpu_seconds, where).toBeLessThanOrEqual((k.cpu_seconds ?? 0) + 1e-9);
          expect(k.idle_cpu_seconds ?? 0, where).toBeGreaterThanOrEqual(0);
        }
        // No more CPU in executions than one core over the range (and a little: the counter moves in ticks).
        expect(s.totals.execution_cpu_seconds, where).toBeLessThanOrEqual((until - since) / 1000 + 0.1);
        // The usage answer: each group's total is the CPU of its points over the time they cover.
        const u = await usage(`&group_by=kernel&from=${since / 1000}&to=${until / 1000}&step=${step}`);
        for (const g of u.series) {
          const total = u.totals.find((t) => JSON.stringify(t.labels) === JSON.stringify(g.labels))?.cpu_seconds ?? 0;
          // A 60 s step reads 1-minute rollups, a row of which stands for its whole minute: the answer starts at the minute holding `since`.
          const from = step >= 60 ? Math.floor(since / 60_000) * 60_000 : since;
          const covered = (t: number) => Math.max(0.001, (Math.min((t + step) * 1000, until) - Math.max(t * 1000, from)) / 1000);
          expect(Math.abs(sum(g.points.map((p) => p.cpu * covered(p.t))) - total), where).toBeLessThan(1e-6 * (g.points.length + 1) * step + 1e-5);
        }
      }
    },
    120_000,
  );

  it('gives the same points on two loads of the same range, and for the same time on two loads of a moving range', async () => {
    // The range read lies wholly within the kernel's life, whatever the tests before took (CI once read a range
    // the kernel had lived only part of, with too few points to compare).
    await sleep(Math.max(0, began + 120_000 - Date.now()));
    const to = Math.floor(Date.now() / 1000) - 20;
    const from = to - 90;
    const q = `&group_by=kernel&from=${from}&to=${to}&step=10`;
    const first = await usage(q);
    await sleep(1500);
    expect(await usage(q)).toEqual(first);
    expect(sum(first.series.map((s) => s.points.length))).toBeGreaterThan(3);
    // "The last 90 s" loaded twice, 7 s apart: the steps both cover whole read the same.
    const a = await usage(`&group_by=kernel&from=${from - 7}&to=${to - 7}&step=10`);
    const whole = (t: number) => t >= from && t + 10 <= to - 7;
    const pts = (x: Usage) => x.series.flatMap((s) => s.points.filter((p) => whole(p.t)));
    expect(pts(a).length).toBeGreaterThan(3);
    // The same steps, the same memory; CPU the same to 0.1 % (what the console shows, three significant digits):
    // a step right after a range's cut-short first step can differ in the 4th digit (0.318052 against 0.317976
    // once), which is left as a known residual, not the 20-30 % the issue saw.
    expect(pts(a).map((p) => [p.t, p.memory])).toEqual(pts(first).map((p) => [p.t, p.memory]));
    pts(a).forEach((p, i) => expect(Math.abs(p.cpu - (pts(first)[i]?.cpu ?? NaN))).toBeLessThanOrEqual(0.001 * Math.max(p.cpu, 0.001)));
    for (const p of [...pts(a), ...pts(first)]) expect(p.t % 10).toBe(0);
  }, 180_000);
});
