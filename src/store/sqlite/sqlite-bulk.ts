import { setImmediate as nextTurn } from 'node:timers/promises';
import { valuesInsert, type Guarded } from '../bulk.js';

/**
 * Rows per statement. better-sqlite3 runs a statement synchronously in this thread, and with it the hub's
 * proxy and API wait: a statement of this many rows takes a few milliseconds, well under the 50 ms the event
 * loop may be held (a sweep of 1,000 runtimes, ~20,000 rows, in one statement per table held it 276 ms).
 */
export const SQLITE_STATEMENT_ROWS = 500;

const insert = valuesInsert(SQLITE_STATEMENT_ROWS);

/**
 * One transaction of short statements, each built as it is reached (building ahead gains nothing here and
 * keeps a whole batch of parameters alive at once), with a turn of the event loop before each: the batch and
 * the agent's new offset still commit together (exactly once), and the proxy and the API run in between.
 * Other queries of this store wait meanwhile: kysely holds SQLite's one connection for the transaction.
 * One writer at a time, so `ordered` needs nothing more.
 */
export const sqliteGuarded: Guarded = (guard, writes) => (db) =>
  db.transaction().execute(async (tx) => {
    if ((await tx.executeQuery(guard)).rows.length !== 1) return false;
    for (const w of writes) {
      for (const q of insert(w)) {
        await nextTurn();
        await tx.executeQuery(q);
      }
    }
    return true;
  });
