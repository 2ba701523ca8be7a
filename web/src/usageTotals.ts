import type { UsageTotal } from './types.js';

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
