import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ExecutionRecord } from '../../core/executions.js';
import type { Store } from '../../core/store.js';
import { EXECUTION_UPDATED_COLUMNS, executionToRow } from '../execution-rows.js';
import { createKyselyStore } from '../kysely-store.js';
import type { Database as Schema, ExecutionsTable } from '../schema.js';

/**
 * Executions are written in batches behind kernel traffic (issue 4), several per second during a "run all":
 * one prepared upsert run per row in one transaction. The kysely statement, built, compiled and prepared again
 * for every batch, cost about 500 µs per batch and 20-30 µs per row (this: ~50 µs and ~10 µs, on the 2-core
 * bench box). Same columns, same upsert; PostgreSQL keeps the kysely one.
 */
const executionWriter = (database: Database.Database, db: Kysely<Schema>): ((records: readonly ExecutionRecord[]) => Promise<void>) => {
  let insert: Database.Statement<unknown[]> | undefined;
  let columns: (keyof ExecutionsTable)[] = [];
  const write = database.transaction((records: readonly ExecutionRecord[]) => {
    if (!insert) {
      columns = Object.keys(executionToRow(records[0] as ExecutionRecord)) as (keyof ExecutionsTable)[];
      insert = database.prepare<unknown[]>(
        `insert into executions (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ` +
          `on conflict (id) do update set ${EXECUTION_UPDATED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      );
    }
    // Row by row, in order: a record given twice ends as its last version.
    for (const r of records) {
      const row = executionToRow(r);
      insert.run(columns.map((c) => row[c]));
    }
  });
  // Through kysely's connection, so the batch waits for any kysely transaction under way (one connection).
  return async (records) => {
    if (records.length === 0) return;
    await db.connection().execute(async () => write(records));
  };
};

/** SQLite in one file. WAL + busy timeout let `nbhub user add` write while the hub runs. */
export const createSqliteStore = (file: string): Store => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database }) });
  const store = createKyselyStore({
    dialect: 'sqlite',
    db,
    isUniqueViolation: (err) => typeof (err as { code?: unknown })?.code === 'string' && /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test((err as { code: string }).code),
  });
  return { ...store, executions: { ...store.executions, put: executionWriter(database, db) } };
};
