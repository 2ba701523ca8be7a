import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';
import { onPostgres, onSqlite } from './testing.js';

/** The epoch starts at 0; series that were only names are dropped, those with rows in any table kept. */
const check = async (db: Kysely<unknown>) => {
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  expect((await migrator.migrateTo('011-server-owner')).error).toBeUndefined();
  await sql`insert into usage_series (id, user_name, server, kernel) values (1, 'ann', '', ''), (2, 'ann', '', 'k1'), (3, 'bob', '', ''), (4, 'cy', '', '')`.execute(db);
  // Only a raw row, only an hourly row; 3 is a name alone.
  await sql`insert into usage_raw (series, t, cpu_from, cpu, memory) values (1, 1000, 0, 1, 5)`.execute(db);
  await sql`insert into usage_1h (series, t, cpu_from, cpu, memory) values (2, 0, 0, 1, 5)`.execute(db);
  await sql`insert into usage_1d (series, t, cpu_from, cpu, memory) values (4, 0, 0, 1, 5)`.execute(db);
  expect((await migrator.migrateTo('013-usage-series-epoch')).error).toBeUndefined();
  const ids = await sql<{ id: number }>`select id from usage_series order by id`.execute(db);
  expect(ids.rows.map((r) => Number(r.id))).toEqual([1, 2, 4]);
  const epoch = await sql<{ epoch: number }>`select epoch from usage_series_epoch`.execute(db);
  expect(epoch.rows.map((r) => Number(r.epoch))).toEqual([0]);

  expect((await migrator.migrateTo('011-server-owner')).error).toBeUndefined();
  await expect(sql`select epoch from usage_series_epoch`.execute(db)).rejects.toThrow();
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
};

describe('migration 013: the usage series epoch', () => {
  it('starts the epoch and drops series without rows on SQLite', () => onSqlite(check));
  it('starts the epoch and drops series without rows on PostgreSQL', () => onPostgres(check));
});
