import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { createTestDatabase } from '../../../test/helpers/postgres.js';

/** Runs a migration check against an empty in-memory SQLite database (test code only). */
export const onSqlite = async (check: (db: Kysely<unknown>) => Promise<void>): Promise<void> => {
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  try {
    await check(db);
  } finally {
    await db.destroy();
  }
};

/** Runs a migration check against a new, empty PostgreSQL database, dropped afterwards (test code only). */
export const onPostgres = async (check: (db: Kysely<unknown>) => Promise<void>): Promise<void> => {
  const database = await createTestDatabase('nbhub_mig');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // A client still closing when the database is dropped under it reports 57P01: expected here, not a failure.
  pool.on('error', () => undefined);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await check(db);
  } finally {
    await db.destroy();
    await database.drop();
  }
};
