import type { Kysely } from 'kysely';

/**
 * Scoped tokens (issue 16): `scopes` and `roles` are JSON arrays, or null. A null `scopes` means the token
 * inherits its owner's rights, which is what every token created before this migration did.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('tokens').addColumn('scopes', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('roles', 'text').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('tokens').dropColumn('roles').execute();
  await db.schema.alterTable('tokens').dropColumn('scopes').execute();
};
