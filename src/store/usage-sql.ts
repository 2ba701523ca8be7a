import { sql, type RawBuilder } from 'kysely';
import type { UsageQuery } from '../core/store.js';
import { USAGE_TABLE } from './schema.js';

/** A UsageQuery's series (alias s) and its rows' times (alias u), as SQL conditions. */
export const conditions = (q: UsageQuery) => {
  const table = sql.table(USAGE_TABLE[q.resolution]);
  const picked: RawBuilder<unknown>[] = [];
  if (q.user !== undefined) picked.push(sql`s.user_name = ${q.user}`);
  if (q.server !== undefined) picked.push(sql`s.server = ${q.server}`);
  if (q.kernels === 'runtime') picked.push(sql`s.kernel = ''`);
  else if (q.kernels === 'kernels') picked.push(sql`s.kernel <> ''`);
  else picked.push(sql`s.kernel = ${q.kernels.id}`);
  const trailing = q.resolution === 'raw' && q.trailingMs ? q.trailingMs : 0;
  const within = sql`u.t >= ${q.from} and u.t <= ${q.to}`;
  return {
    table,
    series: sql.join(picked, sql` and `),
    // Raw rows: with each series' first row after the range when asked.
    times: trailing > 0 ? sql`(${within} or (u.series, u.t) in (select series, min(t) from ${table} where t > ${q.to} and t <= ${q.to + trailing} group by series))` : within,
    /**
     * The runtimes' own series (a partial index) or one user's (the key) are few: read them first, then each
     * one's rows by its (series, t) key, grouped and in time order with no sort. Every kernel of everyone is
     * most series, many without rows in a short range: there the database's own plan (by time) is better.
     */
    seriesFirst: trailing === 0 && (q.kernels !== 'kernels' || q.user !== undefined),
  };
};

/**
 * The `from … where …` of a UsageQuery: its series joined to their rows, by `seriesFirstJoin` when the
 * series are best read first (a dialect whose join says an order).
 */
export const inRange = (q: UsageQuery, seriesFirstJoin: RawBuilder<unknown> = sql`join`): RawBuilder<unknown> => {
  const c = conditions(q);
  return sql`from usage_series s ${c.seriesFirst ? seriesFirstJoin : sql`join`} ${c.table} u on u.series = s.id where ${c.series} and ${c.times}`;
};

export interface SeriesColumns {
  user_name: string;
  server: string;
  kernel: string;
}
