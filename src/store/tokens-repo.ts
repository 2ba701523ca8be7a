import type { Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import type { TokenRepo } from '../core/store.js';
import type { StoreDialect } from './dialect.js';
import { tokenFromRow, tokenToRow } from './rows.js';
import type { Database } from './schema.js';

export const createTokensRepo = (db: Kysely<Database>, dialect: StoreDialect): TokenRepo => ({
  create: async (token) => {
    try {
      await db.insertInto('tokens').values(tokenToRow(token)).execute();
    } catch (err) {
      if (dialect.isUniqueViolation(err)) throw conflict('Token already exists');
      throw err;
    }
  },
  findByHash: async (hash) => {
    const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && tokenFromRow(row);
  },
  get: async (user, id) => {
    const row = await db.selectFrom('tokens').selectAll().where('user_name', '=', user).where('id', '=', id).executeTakeFirst();
    return row && tokenFromRow(row);
  },
  listByUser: async (user) => (await db.selectFrom('tokens').selectAll().where('user_name', '=', user).orderBy('created').execute()).map(tokenFromRow),
  delete: async (user, id) => {
    const r = await db.deleteFrom('tokens').where('user_name', '=', user).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },
  touch: async (id, at) => {
    await db.updateTable('tokens').set({ last_activity: at }).where('id', '=', id).execute();
  },
});
