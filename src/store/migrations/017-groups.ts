import type { Kysely } from 'kysely';

/**
 * Groups of users (issue 16, JupyterHub's groups). `properties` is JSON. Memberships are keyed by the user's name
 * (`user_name`), so renaming or deleting a user carries or drops them with the user's other rows.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('groups')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('properties', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('group_members')
    .addColumn('group_name', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_name', 'user_name'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_name').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('group_members').execute();
  await db.schema.dropTable('groups').execute();
};
