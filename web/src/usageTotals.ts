import type { ExecutionSummary, UsageTotal } from './types.js';

/** One row of a totals table: a user, or one of their servers. */
export interface TotalsRow {
  user: string;
  /** Undefined in the table by user; '' is the default server. */
  server: string | undefined;
  cpuSeconds: number;
  peakMemory: number;
}

/** Largest CPU first, then by name. */
export const totalsRows = (totals: readonly UsageTotal[]): TotalsRow[] =>
  totals
    .map((t) => ({ user: t.labels.user ?? '', server: t.labels.server, cpuSeconds: t.cpu_seconds, peakMemory: t.peak_memory }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds || a.user.localeCompare(b.user) || (a.server ?? '').localeCompare(b.server ?? ''));

const round = (n: number, digits: number): number => Number(n.toFixed(digits));

/** The CSV of a totals table: a header row, then one row per user (and server when `byServer`). */
export const totalsCsv = (rows: readonly TotalsRow[], byServer: boolean): Array<Array<string | number>> => [
  [...(byServer ? ['user', 'server'] : ['user']), 'cpu_seconds', 'cpu_hours', 'peak_memory_bytes'],
  ...rows.map((r) => [
    ...(byServer ? [r.user, r.server ?? ''] : [r.user]),
    round(r.cpuSeconds, 3),
    round(r.cpuSeconds / 3600, 6),
    Math.round(r.peakMemory),
  ]),
];

/** "2025-05-06T14-00" for file names (no colons). */
export const fileStamp = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 16).replace(/:/g, '-');

/** Sums of CPU-seconds in whole milliseconds, as the hub sums them: a total reads exactly as its rows add up. */
export const sumCpu = (xs: ReadonlyArray<number | null>): number => xs.reduce<number>((n, x) => n + Math.round((x ?? 0) * 1000), 0) / 1000;

/** The totals rows of the executions summary, from the rows shown (issue 17: a total is the sum of its rows). */
export const executionTotals = (s: Pick<ExecutionSummary, 'notebooks' | 'kernels'>) => ({
  runs: s.notebooks.reduce((n, r) => n + r.runs, 0),
  errors: s.notebooks.reduce((n, r) => n + r.errors, 0),
  cpuSeconds: sumCpu(s.notebooks.map((n) => n.cpu_seconds)),
  kernelCpuSeconds: sumCpu(s.kernels.map((k) => k.cpu_seconds)),
  executionCpuSeconds: sumCpu(s.kernels.map((k) => k.execution_cpu_seconds)),
  idleCpuSeconds: sumCpu(s.kernels.map((k) => k.idle_cpu_seconds)),
});
