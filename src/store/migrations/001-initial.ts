import type { Kysely } from 'kysely';

// Portable DDL only (kysely's schema builder), so one migration serves SQLite and PostgreSQL.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('users')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('last_activity', 'bigint')
    .execute();
  await db.schema
    .createTable('servers')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('desired', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('target', 'text')
    .addColumn('runtime_token', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('started', 'bigint')
    .addColumn('ready', 'bigint')
    .addColumn('last_activity', 'bigint')
    .addColumn('stopped_at', 'bigint')
    .addColumn('stop_reason', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('exit_status', 'integer')
    .addColumn('log_tail', 'text')
    .addColumn('message', 'text')
    .addColumn('user_options', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('servers_pk', ['user_name', 'name'])
    .execute();
  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_activity', 'bigint')
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_name').execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('xsrf', 'text', (c) => c.notNull())
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_name').execute();
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const t of ['meta', 'sessions', 'tokens', 'servers', 'users']) await db.schema.dropTable(t).execute();
};
