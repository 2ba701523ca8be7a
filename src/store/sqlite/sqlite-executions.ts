import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { EXECUTION_UPDATED_COLUMNS } from '../execution-rows.js';
import type { Database as Schema, ExecutionsTable } from '../schema.js';

/**
 * Executions are written in batches behind kernel traffic (issue 4), several per second during a "run all":
 * one prepared upsert run per row in one transaction. The kysely statement, built, compiled and prepared again
 * for every batch, cost about 500 µs per batch and 20-30 µs per row (this: ~50 µs and ~10 µs, on the 2-core
 * bench box). The same upsert as PostgreSQL's (EXECUTION_UPDATED_COLUMNS).
 */
export const sqliteExecutionWriter = (database: Database.Database): ((db: Kysely<Schema>, rows: readonly ExecutionsTable[]) => Promise<void>) => {
  let insert: Database.Statement<unknown[]> | undefined;
  let columns: (keyof ExecutionsTable)[] = [];
  const write = database.transaction((rows: readonly ExecutionsTable[]) => {
    if (!insert) {
      columns = Object.keys(rows[0] as ExecutionsTable) as (keyof ExecutionsTable)[];
      insert = database.prepare<unknown[]>(
        `insert into executions (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) ` +
          `on conflict (id) do update set ${EXECUTION_UPDATED_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      );
    }
    // Row by row, in order: a record given twice ends as its last version.
    for (const row of rows) insert.run(columns.map((c) => row[c]));
  });
  // Through kysely's connection, so the batch waits for any kysely transaction under way (one connection).
  return async (db, rows) => {
    if (rows.length === 0) return;
    await db.connection().execute(async () => write(rows));
  };
};
