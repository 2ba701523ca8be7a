import { sql } from 'kysely';
import type { StoreDialect } from '../dialect.js';
import { upsertExecutions } from '../execution-rows.js';
import { conditions, inRange } from '../usage-sql.js';
import { advisoryLockFirst, leastGreatest, postgresBulk } from './postgres-bulk.js';
import { watchServers } from './postgres-watch.js';

/** Advisory lock of the usage series epoch: shared by usage writers, exclusive for a change of it (series-epoch.ts). */
export const EPOCH_LOCK = 0x6e626875650e;

/** The condition that the series epoch still holds; it locks the epoch row until the writer commits. */
export const epochHolds = (epoch: number) =>
  sql<boolean>`exists (select from usage_series_epoch where epoch = ${epoch} and ${sql.raw(advisoryLockFirst(EPOCH_LOCK, 'shared'))} for share)`;

/** PostgreSQL: several hub instances may share it; statements run in the server, off this process's event loop. */
export const postgresDialect = (url: string): StoreDialect => ({
  kind: 'postgres',
  capabilities: { sharedByInstances: true },
  isUniqueViolation: (err) => (err as { code?: unknown } | null)?.code === '23505',
  bulk: postgresBulk,
  fold: leastGreatest,
  putExecutions: upsertExecutions,
  // The oldest transaction still running (its snapshot's xmin): one that took its stamp before another's but
  // commits after it is read next time, not skipped.
  changeMark: async (db) => Number((await sql<{ m: number }>`select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as m`.execute(db)).rows[0]?.m),
  snapshot: (db) => db.transaction().setIsolationLevel('repeatable read'),
  watchServers: watchServers(url),
  lockEpoch: async (tx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(EPOCH_LOCK)})`.execute(tx);
  },
  epochHolds,
  // Each series once.
  deleteOlderSeries: async (db, table, before) =>
    (
      await sql<{ series: number }>`with d as (delete from ${sql.table(table)} where t < ${before} returning series) select distinct series from d`.execute(db)
    ).rows.map((r) => Number(r.series)),
  seriesSql: (q) => {
    const c = conditions(q);
    const columns = sql`json_agg(u.t)::text as t, json_agg(greatest(u.cpu - u.cpu_from, 0))::text as used, json_agg(u.memory)::text as memory`;
    if (!c.seriesFirst) return sql`select s.user_name, s.server, s.kernel, ${columns} ${inRange(q)} group by s.id order by s.user_name, s.server, s.kernel`;
    // No join order to give, but a LATERAL subquery runs once per series it is given.
    return sql`
      select s.user_name, s.server, s.kernel, a.t, a.used, a.memory from usage_series s
      cross join lateral (select ${columns} from ${c.table} u where u.series = s.id and ${c.times}) a
      where ${c.series} and a.t is not null order by s.user_name, s.server, s.kernel`;
  },
});
