import type { Store } from '../core/store.js';
import type { Resolution } from '../core/store.js';
import { parseUsageParams } from '../usage/params.js';
import { queryUsage } from '../usage/query.js';
import type { SummaryQuery } from './params.js';

export interface KernelCost {
  user: string;
  server: string;
  kernelId: string;
  notebooks: string[];
  runs: number;
  /** The kernel's CPU-seconds over the range (from the sampled series), inside executions, and outside: its idle cost. */
  cpuSeconds: number | null;
  executionCpuSeconds: number;
  idleCpuSeconds: number | null;
}

/**
 * The kernels' cost over a range, split (issue 4): what their executions used, and the rest — what the kernel
 * used while no execution ran (imports kept warm, background threads, widgets): its idle cost. Executions that
 * straddle the range's edges count whole, so at the edges the split is approximate.
 */
export const kernelCosts = async (
  store: Store,
  q: SummaryQuery,
  o: { now: number; intervalSeconds: number; retentionDays: Record<Resolution, number> },
  executions: Array<{ user: string; server: string; kernelId: string; runs: number; cpuSeconds: number }>,
): Promise<KernelCost[]> => {
  const usage = await queryUsage(
    store,
    parseUsageParams(
      {
        group_by: 'kernel',
        from: String(q.since / 1000),
        to: String(Math.max(q.until, q.since + 1000) / 1000),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.server !== undefined ? { server: q.server } : {}),
      },
      o,
    ),
    o.now,
  );
  const key = (u: string, s: string, k: string) => `${u}\u0000${s}\u0000${k}`;
  const out = new Map<string, KernelCost>();
  for (const t of usage.totals) {
    const l = t.labels;
    if (l['user'] === undefined || l['server'] === undefined || !l['kernel']) continue;
    const notebooks = (l['notebook'] ?? '').split(',').filter((n) => n !== '');
    if (q.notebook !== undefined && !notebooks.includes(q.notebook)) continue;
    out.set(key(l['user'], l['server'], l['kernel']), { user: l['user'], server: l['server'], kernelId: l['kernel'], notebooks, runs: 0, cpuSeconds: t.cpu_seconds, executionCpuSeconds: 0, idleCpuSeconds: null });
  }
  for (const e of executions) {
    const k = key(e.user, e.server, e.kernelId);
    const c = out.get(k) ?? { user: e.user, server: e.server, kernelId: e.kernelId, notebooks: [], runs: 0, cpuSeconds: null, executionCpuSeconds: 0, idleCpuSeconds: null };
    c.runs += e.runs;
    c.executionCpuSeconds += e.cpuSeconds;
    out.set(k, c);
  }
  for (const c of out.values()) c.idleCpuSeconds = c.cpuSeconds === null ? null : Math.max(0, c.cpuSeconds - c.executionCpuSeconds);
  return [...out.values()].sort((a, b) => (a.user + a.server + a.kernelId).localeCompare(b.user + b.server + b.kernelId));
};
