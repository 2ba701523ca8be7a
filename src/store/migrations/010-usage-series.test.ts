import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';
import { onPostgres, onSqlite } from './testing.js';

const TABLES = ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d'] as const;
// Two runtimes, one with a kernel; rows in every table (values differ per table, so a mix-up shows).
const ROWS = [
  ['ann', '', '', 1_000, 1, 2, 300],
  ['ann', '', '', 2_000, 2, 5, 310],
  ['ann', '', 'k-1', 1_000, 0, 1.5, 200],
  ['bob', 'lab', '', 1_000, 7, 9.25, 400],
] as const;

const stored = async (db: Kysely<unknown>, table: string) =>
  (
    await sql<{ user_name: string; server: string; kernel: string; t: number; cpu_from: number; cpu: number; memory: number }>`
      select s.user_name, s.server, s.kernel, u.t, u.cpu_from, u.cpu, u.memory from ${sql.table(table)} u join usage_series s on s.id = u.series
      order by s.user_name, s.server, s.kernel, u.t`.execute(db)
  ).rows.map((r) => [r.user_name, r.server, r.kernel, Number(r.t), Number(r.cpu_from), Number(r.cpu), Number(r.memory)]);

const expected = (i: number) => ROWS.map(([u, s, k, t, from, cpu, mem]) => [u, s, k, t, from + i, cpu + i, mem + i]);

/** Rows stored with text keys read the same with series ids, and back again. */
const check = async (db: Kysely<unknown>) => {
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  expect((await migrator.migrateTo('009-usage-kernel-index')).error).toBeUndefined();
  for (const [i, table] of TABLES.entries()) {
    for (const [u, s, k, t, from, cpu, mem] of ROWS) {
      await sql`insert into ${sql.table(table)} (user_name, server, kernel, t, cpu_from, cpu, memory) values (${u}, ${s}, ${k}, ${t}, ${from + i}, ${cpu + i}, ${mem + i})`.execute(db);
    }
  }
  expect((await migrator.migrateTo('010-usage-series')).error).toBeUndefined();
  const series = await sql<{ n: number }>`select count(*) as n from usage_series`.execute(db);
  expect(Number(series.rows[0]?.n)).toBe(3);
  for (const [i, table] of TABLES.entries()) expect(await stored(db, table)).toEqual(expected(i));
  // A repeat of a stored (series, t) is refused: the key carried over.
  await expect(sql`insert into usage_1h (series, t, cpu_from, cpu, memory) select id, 1000, 0, 0, 0 from usage_series`.execute(db)).rejects.toThrow();

  expect((await migrator.migrateTo('009-usage-kernel-index')).error).toBeUndefined();
  for (const [i, table] of TABLES.entries()) {
    const back = await sql<{ user_name: string; server: string; kernel: string; t: number; cpu_from: number; cpu: number; memory: number }>`
      select user_name, server, kernel, t, cpu_from, cpu, memory from ${sql.table(table)} order by user_name, server, kernel, t`.execute(db);
    expect(back.rows.map((r) => [r.user_name, r.server, r.kernel, Number(r.t), Number(r.cpu_from), Number(r.cpu), Number(r.memory)])).toEqual(expected(i));
  }
};

describe('migration 010: usage rows keyed by series id', () => {
  it('carries rows over and back on SQLite', () => onSqlite(check));
  it('carries rows over and back on PostgreSQL', () => onPostgres(check));
});
