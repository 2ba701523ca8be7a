import type { ExecutionRecord, ExecutionTracker, KernelExecutionCpu, NotebookSummary } from '../core/executions.js';
import type { Resolution, Store } from '../core/store.js';
import { parseUsageParams } from '../usage/params.js';
import { queryUsage } from '../usage/query.js';
import type { SummaryQuery } from './params.js';

export interface KernelCost {
  user: string;
  server: string;
  kernelId: string;
  notebooks: string[];
  runs: number;
  /** The kernel's CPU-seconds over the range, inside executions, and outside them: its idle cost (all − inside). */
  cpuSeconds: number | null;
  executionCpuSeconds: number;
  idleCpuSeconds: number | null;
}

/** The sums of an answer's rows (the notebooks' for runs, errors and CPU; the kernels' for the rest). */
export interface SummaryTotals {
  runs: number;
  errors: number;
  cpuSeconds: number;
  kernelCpuSeconds: number;
  executionCpuSeconds: number;
  idleCpuSeconds: number;
}

export interface ExecutionSummaryAnswer {
  notebooks: NotebookSummary[];
  kernels: KernelCost[];
  totals: SummaryTotals;
}

type Costed = Pick<ExecutionRecord, 'started' | 'ended' | 'cpuSeconds'>;

/**
 * An execution's CPU-seconds inside [since, until] (pure). One that ran wholly inside counts whole; one that
 * straddles an edge counts the share of its run inside, by time (its CPU taken as spread evenly over its run:
 * the only readings are at its two ends). A running one counts what it used so far over its run so far
 * (`ended` null, `cpuSeconds` read now); one with no cost (lost, or unread) counts 0.
 */
export const cpuInside = (e: Costed, since: number, until: number, now: number): number => {
  if (e.cpuSeconds === null || !(e.cpuSeconds > 0)) return 0;
  const end = e.ended ?? Math.max(now, e.started);
  if (end <= e.started) return e.started >= since && e.started <= until ? e.cpuSeconds : 0;
  const overlap = Math.min(end, until) - Math.max(e.started, since);
  return overlap <= 0 ? 0 : e.cpuSeconds * Math.min(1, overlap / (end - e.started));
};

/** Whole milliseconds of CPU: every sum is made of these, so a total is exactly the sum of its rows. */
const ms = (seconds: number): number => Math.round(seconds * 1000);

interface Sums {
  notebooks: NotebookSummary[];
  kernels: KernelExecutionCpu[];
}

/**
 * Adds the executions read one by one (`edges`: straddling the range, running, or not yet written) to the
 * sums of those that ran wholly inside it (`settled`, summed by the store), each counting its CPU inside the
 * range (cpuInside). Pure; CPU in whole milliseconds, so notebooks and kernels sum to the same.
 */
export const addEdges = (settled: Sums, edges: readonly ExecutionRecord[], q: SummaryQuery, now: number): Sums => {
  const nbKey = (u: string, s: string, n: string | null) => JSON.stringify([u, s, n]);
  const kKey = (u: string, s: string, k: string) => JSON.stringify([u, s, k]);
  const notebooks = new Map(settled.notebooks.map((n) => [nbKey(n.user, n.server, n.notebook), { ...n, cpuSeconds: ms(n.cpuSeconds) }]));
  const kernels = new Map(settled.kernels.map((k) => [kKey(k.user, k.server, k.kernelId), { ...k, cpuSeconds: ms(k.cpuSeconds) }]));
  for (const e of edges) {
    if (q.user !== undefined && e.user !== q.user) continue;
    if (q.server !== undefined && e.server !== q.server) continue;
    if (q.notebook !== undefined && e.notebook !== q.notebook) continue;
    // Overlapping the range, as the store's filter has it.
    if (e.started > q.until || (e.ended !== null && e.ended < q.since)) continue;
    const cpu = ms(cpuInside(e, q.since, q.until, now));
    const nk = nbKey(e.user, e.server, e.notebook);
    const n = notebooks.get(nk) ?? { user: e.user, server: e.server, notebook: e.notebook, runs: 0, errors: 0, cpuSeconds: 0, peakMemory: null, lastRun: null };
    n.runs++;
    if (e.status === 'error') n.errors++;
    n.cpuSeconds += cpu;
    if (e.peakMemory !== null) n.peakMemory = Math.max(n.peakMemory ?? 0, e.peakMemory);
    n.lastRun = Math.max(n.lastRun ?? e.started, e.started);
    notebooks.set(nk, n);
    const kk = kKey(e.user, e.server, e.kernelId);
    const k = kernels.get(kk) ?? { user: e.user, server: e.server, kernelId: e.kernelId, runs: 0, cpuSeconds: 0 };
    k.runs++;
    k.cpuSeconds += cpu;
    kernels.set(kk, k);
  }
  // Sorted as the store sorts: by user, server, then notebook; executions without a notebook last.
  const order = (n: NotebookSummary) => [n.user, n.server, n.notebook === null ? '\uffff' : `\u0000${n.notebook}`].join('\u0001');
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    notebooks: [...notebooks.values()].map((n) => ({ ...n, cpuSeconds: n.cpuSeconds / 1000 })).sort((a, b) => cmp(order(a), order(b))),
    kernels: [...kernels.values()].map((k) => ({ ...k, cpuSeconds: k.cpuSeconds / 1000 })),
  };
};

/**
 * The kernels' cost over a range, split (issue 4): what their executions used, and the rest — what the kernel
 * used while no execution ran (imports kept warm, background threads, widgets): its idle cost. "All" comes from
 * the kernel's sampled series, which lags the kernel by up to a sampling interval and spreads a sample over
 * it, where executions are read at their ends: a kernel has used at least what its executions did, so all is
 * never less than in executions, and idle = all − in executions is never negative (pure once `series` is read).
 */
export const splitKernels = (
  series: ReadonlyArray<{ user: string; server: string; kernelId: string; notebooks: string[]; cpuSeconds: number }>,
  executions: readonly KernelExecutionCpu[],
): KernelCost[] => {
  const key = (u: string, s: string, k: string) => `${u}\u0000${s}\u0000${k}`;
  const out = new Map<string, KernelCost & { allMs: number | null; execMs: number }>();
  for (const t of series) {
    out.set(key(t.user, t.server, t.kernelId), { ...t, runs: 0, cpuSeconds: null, executionCpuSeconds: 0, idleCpuSeconds: null, allMs: ms(t.cpuSeconds), execMs: 0 });
  }
  for (const e of executions) {
    const k = key(e.user, e.server, e.kernelId);
    const c = out.get(k) ?? { user: e.user, server: e.server, kernelId: e.kernelId, notebooks: [], runs: 0, cpuSeconds: null, executionCpuSeconds: 0, idleCpuSeconds: null, allMs: null, execMs: 0 };
    c.runs += e.runs;
    c.execMs += ms(e.cpuSeconds);
    out.set(k, c);
  }
  return [...out.values()]
    .map(({ allMs, execMs, ...c }) => {
      const all = allMs === null && execMs === 0 ? null : Math.max(allMs ?? 0, execMs);
      return { ...c, cpuSeconds: all === null ? null : all / 1000, executionCpuSeconds: execMs / 1000, idleCpuSeconds: all === null ? null : (all - execMs) / 1000 };
    })
    .sort((a, b) => (a.user + a.server + a.kernelId).localeCompare(b.user + b.server + b.kernelId));
};

/** The totals of an answer: each the sum of its rows, in whole milliseconds of CPU. */
export const summaryTotals = (notebooks: readonly NotebookSummary[], kernels: readonly KernelCost[]): SummaryTotals => {
  const sum = (xs: ReadonlyArray<number | null>) => xs.reduce<number>((n, x) => n + ms(x ?? 0), 0) / 1000;
  return {
    runs: notebooks.reduce((n, r) => n + r.runs, 0),
    errors: notebooks.reduce((n, r) => n + r.errors, 0),
    cpuSeconds: sum(notebooks.map((n) => n.cpuSeconds)),
    kernelCpuSeconds: sum(kernels.map((k) => k.cpuSeconds)),
    executionCpuSeconds: sum(kernels.map((k) => k.executionCpuSeconds)),
    idleCpuSeconds: sum(kernels.map((k) => k.idleCpuSeconds)),
  };
};

/**
 * GET /hub/api/executions/summary: the store's sums of executions that ran wholly inside the range, plus
 * those read one by one (straddling an edge, running, or not written yet, the hub's recorder's version first),
 * each counting its CPU inside the range; then the kernels' split against their sampled series.
 */
export const executionSummary = async (
  store: Store,
  tracker: Pick<ExecutionTracker, 'inProgress'> | null,
  q: SummaryQuery,
  o: { now: number; intervalSeconds: number; retentionDays: Record<Resolution, number> },
): Promise<ExecutionSummaryAnswer> => {
  const live = tracker ? await tracker.inProgress({ user: q.user, server: q.server }) : [];
  const except = live.map((r) => r.id);
  const [settled, edges, series] = await Promise.all([
    store.executions.summarize({ ...q, wholly: true, except }),
    store.executions.edges({ ...q, except }),
    kernelSeries(store, q, o),
  ]);
  const sums = addEdges(settled, [...edges, ...live], q, o.now);
  const kernels = splitKernels(series, sums.kernels);
  return { notebooks: sums.notebooks, kernels, totals: summaryTotals(sums.notebooks, kernels) };
};

/** Each kernel's CPU-seconds over the range, from its sampled series (what /hub/api/usage?group_by=kernel totals). */
const kernelSeries = async (store: Store, q: SummaryQuery, o: { now: number; intervalSeconds: number; retentionDays: Record<Resolution, number> }) => {
  const usage = await queryUsage(
    store,
    parseUsageParams(
      {
        group_by: 'kernel',
        from: String(q.since / 1000),
        to: String(Math.max(q.until, q.since + 1000) / 1000),
        // Fine steps (at most 5,000 over the range) pick the finest resolution kept that long, whose buckets
        // (widened to at the range's start) are what "all" counts beyond the range.
        step: String(Math.max(o.intervalSeconds, Math.ceil((Math.max(q.until, q.since + 1000) - q.since) / 1000 / 5000))),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.server !== undefined ? { server: q.server } : {}),
      },
      o,
    ),
    o.now,
  );
  const out: Array<{ user: string; server: string; kernelId: string; notebooks: string[]; cpuSeconds: number }> = [];
  for (const t of usage.totals) {
    const l = t.labels;
    if (l['user'] === undefined || l['server'] === undefined || !l['kernel']) continue;
    const notebooks = (l['notebook'] ?? '').split(',').filter((n) => n !== '');
    if (q.notebook !== undefined && !notebooks.includes(q.notebook)) continue;
    out.push({ user: l['user'], server: l['server'], kernelId: l['kernel'], notebooks, cpuSeconds: t.cpu_seconds });
  }
  return out;
};
