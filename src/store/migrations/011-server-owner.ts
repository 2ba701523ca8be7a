import type { Kysely } from 'kysely';

/**
 * Several hub instances on one PostgreSQL (issue 6): each server record names the instance that acts on it
 * (`owner`, its instance id; null until one claims it), and carries a `version` that every write of the
 * record moves on, so a write based on an older read loses (compare and set) instead of overwriting.
 * `remove_requested`: a deletion asked for through an instance that does not own the record, for the owner
 * to carry out. Existing rows start at version 1 with no owner (the first instance to look claims them).
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('servers').addColumn('owner', 'text').execute();
  await db.schema.alterTable('servers').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('servers').addColumn('remove_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const c of ['remove_requested', 'version', 'owner']) await db.schema.alterTable('servers').dropColumn(c).execute();
};
