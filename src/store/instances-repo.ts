import type { Kysely } from 'kysely';
import type { InstanceRepo } from '../core/store.js';
import type { Database } from './schema.js';

/** Instances gone this long are forgotten. */
const FORGET_AFTER_MS = 86_400_000;

export const createInstancesRepo = (db: Kysely<Database>): InstanceRepo => ({
  heartbeat: async (instance, at) => {
    await db
      .insertInto('hub_instances')
      .values({ id: instance, last_seen: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ last_seen: at }))
      .execute();
    await db.deleteFrom('hub_instances').where('last_seen', '<', at - FORGET_AFTER_MS).execute();
  },
  live: async (since) => (await db.selectFrom('hub_instances').select('id').where('last_seen', '>=', since).orderBy('id').execute()).map((r) => r.id),
});
