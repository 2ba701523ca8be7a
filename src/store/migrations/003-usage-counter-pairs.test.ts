import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';
import { onPostgres, onSqlite } from './testing.js';
const DAY = 86_400_000;

/** Data stored by 002 (rows holding only the counter) read the same after 003. */
const check = async (db: Kysely<unknown>) => {
  const migrator = new Migrator({ db, provider: migrationProvider });
  expect((await migrator.migrateTo('002-usage')).error).toBeUndefined();
  const base = 100 * DAY;
  // A runtime's counter at 10, 25, then a restart from 0 (4), in three hours of one day; a second day.
  for (const [t, cpu] of [[base, 10], [base + 3_600_000, 25], [base + 7_200_000, 4], [base + DAY, 9]] as const) {
    await sql`insert into usage_1h (user_name, server, kernel, t, cpu, memory) values ('ann', '', '', ${t}, ${cpu}, 7)`.execute(db);
  }
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  const hours = await sql<{ cpu_from: number; cpu: number }>`select cpu_from, cpu from usage_1h order by t`.execute(db);
  expect(hours.rows.map((r) => [Number(r.cpu_from), Number(r.cpu)])).toEqual([[10, 10], [10, 25], [0, 4], [4, 9]]);
  const days = await sql<{ t: number; cpu_from: number; cpu: number }>`select t, cpu_from, cpu from usage_1d order by t`.execute(db);
  expect(days.rows.map((r) => [Number(r.t) - base, Number(r.cpu_from), Number(r.cpu)])).toEqual([[0, 6, 25], [DAY, 4, 9]]);
};

describe('migration 003: counter pairs and the daily rollup', () => {
  it('carries 002 data over on SQLite', () => onSqlite(check));
  it('carries 002 data over on PostgreSQL', () => onPostgres(check));
});
