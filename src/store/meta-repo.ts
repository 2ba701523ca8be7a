import type { Kysely } from 'kysely';
import type { MetaRepo } from '../core/store.js';
import type { Database } from './schema.js';

export const createMetaRepo = (db: Kysely<Database>): MetaRepo => ({
  get: async (key) => (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value,
  set: async (key, value) => {
    await db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  },
});
