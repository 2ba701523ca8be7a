import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../core/store.js';
import { createKyselyStore } from '../kysely-store.js';
import type { Database as Schema } from '../schema.js';

/** SQLite in one file. WAL + busy timeout let `nbhub user add` write while the hub runs. */
export const createSqliteStore = (file: string): Store => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  return createKyselyStore({
    dialect: 'sqlite',
    db,
    isUniqueViolation: (err) => typeof (err as { code?: unknown })?.code === 'string' && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code: string }).code),
  });
};
