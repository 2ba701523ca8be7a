import type { UsageRow, UsageSeries } from '../core/store.js';

/**
 * Rows ordered by series then time (UsageRepo.query's order) as UsageRepo.series gives them: the
 * reference the store's packed form is checked against, and a short way to write test data.
 */
export const toSeries = (rows: readonly UsageRow[]): UsageSeries[] => {
  const out: UsageSeries[] = [];
  let cur: UsageSeries | undefined;
  for (const r of rows) {
    if (!cur || cur.user !== r.user || cur.server !== r.server || cur.kernel !== r.kernel) {
      cur = { user: r.user, server: r.server, kernel: r.kernel, t: [], used: [], memory: [] };
      out.push(cur);
    }
    cur.t.push(r.t);
    cur.used.push(Math.max(0, r.cpu - r.cpuFrom));
    cur.memory.push(r.memory);
  }
  return out;
};
