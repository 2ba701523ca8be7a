import { Migrator, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './migrations/index.js';
import { onPostgres, onSqlite } from './migrations/testing.js';
import type { Database } from './schema.js';
import { SeriesIds } from './series-ids.js';
import { epochHolds as postgresEpoch } from './postgres/postgres-dialect.js';
import { epochHolds as sqliteEpoch } from './sqlite/sqlite-dialect.js';

/** Series from..to-1: every 7th of a user, half in a named server. */
const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ user: `u${(from + i) % 7}`, server: (from + i) % 2 ? 'lab' : '', kernel: `k${from + i}` }));

/** Two writers (two hub instances, or the usage and event repos) resolving the same series at once agree. */
const check = (dialect: { epochHolds: typeof sqliteEpoch }) => async (raw: Kysely<unknown>) => {
  expect((await new Migrator({ db: raw, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest()).error).toBeUndefined();
  const db = raw as unknown as Kysely<Database>;
  const a = new SeriesIds(db, dialect);
  const b = new SeriesIds(db, dialect);
  // More than one statement's worth, overlapping: half of b's are a's.
  const first = keys(0, 1200);
  const second = keys(600, 1800);
  expect(a.known(first)).toBeUndefined();
  const [ofA, ofB] = await Promise.all([a.resolve(first), b.resolve(second)]);
  for (const k of keys(600, 1200)) expect(ofB(k)).toBe(ofA(k));
  const all = [...first, ...second];
  const ids = new Set(all.map((k) => (a.known([k]) ?? ofB)(k)));
  const rows = await db.selectFrom('usage_series').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  // Every distinct series once, one id each.
  const distinct = new Set(all.map((k) => `${k.user}/${k.server}/${k.kernel}`)).size;
  expect(Number(rows.n)).toBe(distinct);
  expect(ids.size).toBe(distinct);
  // Remembered: known without the database, and the same id again.
  const again = a.known(first);
  expect(again).toBeDefined();
  expect(first.map((k) => again?.(k))).toEqual(first.map((k) => ofA(k)));
  // A key outside what was resolved is a bug, said as such.
  expect(() => ofA({ user: 'zed', server: '', kernel: '' })).toThrow(/zed\/\/ was not resolved/);
};

describe('SeriesIds', () => {
  it('gives each series one id, shared by concurrent writers, on SQLite', () => onSqlite(check({ epochHolds: sqliteEpoch })));
  it('gives each series one id, shared by concurrent writers, on PostgreSQL', () => onPostgres(check({ epochHolds: postgresEpoch })));
});
