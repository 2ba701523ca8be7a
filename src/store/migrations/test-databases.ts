import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

const ADMIN_URL = process.env['NBHUB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

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
  const name = `nbhub_mig_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  // A client still closing when the database is dropped under it reports 57P01: expected here, not a failure.
  pool.on('error', () => undefined);
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await check(db);
  } finally {
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
};
