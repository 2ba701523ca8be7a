import type { Kysely } from 'kysely';
import type { SessionRepo } from '../core/store.js';
import { sessionFromRow, sessionToRow } from './rows.js';
import type { Database } from './schema.js';

export const createSessionsRepo = (db: Kysely<Database>): SessionRepo => ({
  create: async (s) => {
    await db.insertInto('sessions').values(sessionToRow(s)).execute();
  },
  get: async (idHash) => {
    const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return row && sessionFromRow(row);
  },
  delete: async (idHash) => {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  },
  deleteOfUser: async (user, keepIdHash) => {
    let q = db.deleteFrom('sessions').where('user_name', '=', user);
    if (keepIdHash !== undefined) q = q.where('id_hash', '!=', keepIdHash);
    const rows = await q.returning('id_hash').execute();
    return rows.map((r) => r.id_hash);
  },
  deleteExpired: async (now) => {
    const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
});
