import type { Kysely } from 'kysely';

// When a stop was asked for (issue 5): stopped_at is after the runtime's grace period, this is when it was decided.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('servers').addColumn('stop_requested_at', 'bigint').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('servers').dropColumn('stop_requested_at').execute();
};
