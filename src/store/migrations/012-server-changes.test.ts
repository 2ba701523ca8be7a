import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';
import { onPostgres, onSqlite } from './testing.js';

const servers = async (db: Kysely<unknown>) =>
  (await sql<{ user_name: string; name: string; state: string }>`select user_name, name, state from servers order by user_name, name`.execute(db)).rows;
const stamps = async (db: Kysely<unknown>) =>
  (await sql<{ name: string; changed_in: number }>`select name, changed_in from servers order by name`.execute(db)).rows.map((r): [string, number] => [r.name, Number(r.changed_in)]);
const tombstones = async (db: Kysely<unknown>) =>
  (await sql<{ user_name: string; name: string }>`select user_name, name from server_tombstones order by user_name, name`.execute(db)).rows;

/** Rows from before keep their data at stamp 0; writes are stamped and deletions kept; down takes it all away. */
const check = async (db: Kysely<unknown>) => {
  const migrator = new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true });
  expect((await migrator.migrateTo('011-server-owner')).error).toBeUndefined();
  for (const n of ['a', 'b', 'c']) {
    await sql`insert into servers (user_name, name, profile, desired, state, created, user_options) values ('ann', ${n}, 'default', 'stopped', 'stopped', 1, '{}')`.execute(db);
  }
  expect((await migrator.migrateTo('012-server-changes')).error).toBeUndefined();
  expect(await stamps(db)).toEqual([['a', 0], ['b', 0], ['c', 0]]);
  await sql`update servers set state = 'running' where name = 'a'`.execute(db);
  await sql`delete from servers where name = 'b'`.execute(db);
  const after = new Map(await stamps(db));
  expect(after.get('a')).toBeGreaterThan(0);
  expect(after.get('c')).toBe(0);
  expect(await tombstones(db)).toEqual([{ user_name: 'ann', name: 'b' }]);
  // A renamed server leaves a tombstone under its old key.
  await sql`update servers set user_name = 'bea' where name = 'c'`.execute(db);
  expect(await tombstones(db)).toEqual([{ user_name: 'ann', name: 'b' }, { user_name: 'ann', name: 'c' }]);

  expect((await migrator.migrateTo('011-server-owner')).error).toBeUndefined();
  expect(await servers(db)).toEqual([{ user_name: 'ann', name: 'a', state: 'running' }, { user_name: 'bea', name: 'c', state: 'stopped' }]);
  await expect(stamps(db)).rejects.toThrow();
  await expect(tombstones(db)).rejects.toThrow();
  // No trigger left behind that would write to what is gone.
  await sql`update servers set state = 'stopped' where name = 'a'`.execute(db);
  await sql`delete from servers where name = 'a'`.execute(db);
  expect((await servers(db)).map((r) => r.name)).toEqual(['c']);
  // And up again, on the rows as they are.
  expect((await migrator.migrateTo('012-server-changes')).error).toBeUndefined();
  expect(await stamps(db)).toEqual([['c', 0]]);
};

describe('migration 012: server change stamps and tombstones', () => {
  it('goes up and down on SQLite', () => onSqlite(check));
  it('goes up and down on PostgreSQL', () => onPostgres(check));
});
