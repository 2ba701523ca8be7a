import { valuesInsert, type Guarded } from '../bulk.js';

/**
 * SQLite: one transaction of statements, each built as it is reached (SQLite runs them in this thread, where
 * building ahead gains nothing and keeps a whole batch of parameters alive at once). One writer at a time,
 * so `ordered` needs nothing more.
 */
export const sqliteGuarded: Guarded = (guard, writes) => (db) =>
  db.transaction().execute(async (tx) => {
    if ((await tx.executeQuery(guard)).rows.length !== 1) return false;
    for (const w of writes) for (const q of valuesInsert()(w)) await tx.executeQuery(q);
    return true;
  });
