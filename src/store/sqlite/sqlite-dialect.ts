import type Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { caseFold, valuesInsert } from '../bulk.js';
import type { StoreDialect } from '../dialect.js';
import type { Database as Schema } from '../schema.js';
import { inRange } from '../usage-sql.js';
import { sqliteExecutionWriter } from './sqlite-executions.js';
import { sqliteGuarded, SQLITE_STATEMENT_ROWS } from './sqlite-bulk.js';

/** The condition that the series epoch still holds (checked by a writer that holds the write lock). */
export const epochHolds = (epoch: number) => sql<boolean>`exists (select 1 from usage_series_epoch where epoch = ${epoch})`;

/**
 * SQLite: one file, one writer at a time, one hub instance. Its statements run synchronously in this thread
 * (better-sqlite3), so long writes are cut into short statements that let the event loop run in between.
 */
export const sqliteDialect = (database: Database.Database, close?: () => Promise<void>): StoreDialect => ({
  kind: 'sqlite',
  capabilities: { sharedByInstances: false },
  isUniqueViolation: (err) => typeof (err as { code?: unknown })?.code === 'string' && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code: string }).code),
  bulk: { insert: valuesInsert(SQLITE_STATEMENT_ROWS), guarded: sqliteGuarded },
  fold: caseFold,
  putExecutions: sqliteExecutionWriter(database),
  // Writers take turns: one more than the largest stamp written.
  changeMark: async (db) =>
    Number(
      (
        await sql<{ m: number }>`select max(n) + 1 as m from (select coalesce(max(changed_in), 0) as n from servers
          union all select coalesce(max(changed_in), 0) from server_tombstones) as stamps`.execute(db)
      ).rows[0]?.m,
    ),
  // A transaction is a snapshot already: one connection, writers take turns.
  snapshot: (db) => db.transaction(),
  // One writer at a time: the check runs inside the writer's transaction once it holds the write lock.
  lockEpoch: async () => undefined,
  epochHolds,
  // No DELETE in WITH: each deleted row's series, made unique by the caller.
  deleteOlderSeries: async (db: Kysely<Schema>, table, before) =>
    (await sql<{ series: number }>`delete from ${sql.table(table)} where t < ${before} returning series`.execute(db)).rows.map((r) => Number(r.series)),
  // SQLite takes CROSS JOIN as an order: the series outside (it would rather go by the time index).
  seriesSql: (q) => sql`
    select s.user_name, s.server, s.kernel, json_group_array(u.t) as t, json_group_array(max(u.cpu - u.cpu_from, 0)) as used,
      json_group_array(u.memory) as memory ${inRange(q, sql`cross join`)}
    group by s.id order by s.user_name, s.server, s.kernel`,
  close,
});
