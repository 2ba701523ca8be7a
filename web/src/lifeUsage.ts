import type { HistoryEvent, UsageQuery } from './types.js';

/** Steps the hub's usage answers without straddling its stored buckets (usage/params.ts's ladder). */
const LADDER_S: readonly number[] = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];
const POINTS = 60;
const WEEK_S = 7 * 86_400;

/**
 * The range a deleted server's usage is asked over (pure): from its oldest event listed to its deletion,
 * a step later (the last samples), in about 60 steps. Undefined without a delete event.
 */
export const lifeRange = (events: readonly HistoryEvent[]): Pick<UsageQuery, 'from' | 'to' | 'step'> | undefined => {
  const deleted = events.find((e) => e.action === 'delete');
  if (!deleted) return undefined;
  const times = events.map((e) => Math.floor(Date.parse(e.time) / 1000)).filter(Number.isFinite);
  const end = Math.floor(Date.parse(deleted.time) / 1000);
  const start = Math.min(end, ...times);
  const span = Math.max(1, end - start);
  const step = LADDER_S.find((s) => s >= span / POINTS) ?? WEEK_S;
  const from = Math.floor(start / step) * step;
  return { from, to: Math.max(from + step, (Math.floor(end / step) + 1) * step), step };
};
