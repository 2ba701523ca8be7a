import type { Kysely } from 'kysely';

// The profile a server ran, on each event of its history (issue 17: the history names it by what it runs);
// null on events stored before.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('server_events').addColumn('profile', 'text').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('server_events').dropColumn('profile').execute();
};
