import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createKyselyStore } from '../kysely-store.js';
import type { Database as Schema } from '../schema.js';
import type { TestStore } from '../testing.js';
import { startCheckpointer } from './checkpointer.js';
import { sqliteDialect } from './sqlite-dialect.js';

/** SQLite in one file. WAL + busy timeout let `nbhub user add` write while the hub runs. */
export const createSqliteStore = (file: string): TestStore => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  // Checkpoints off the event loop (checkpointer.ts); an in-memory database has no WAL.
  let stop: (() => Promise<void>) | undefined;
  if (file !== ':memory:') {
    database.pragma('wal_autocheckpoint = 0');
    stop = startCheckpointer(file);
  }
  return createKyselyStore(new Kysely<Schema>({ dialect: new SqliteDialect({ database }) }), sqliteDialect(database, stop));
};
