import type { Kysely } from 'kysely';

// Each start and stop of a server, with who or what caused it (issue 5). Portable DDL, like 001.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('server_events')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('t', 'bigint', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('actor', 'text')
    .addColumn('message', 'text')
    .addPrimaryKeyConstraint('server_events_pk', ['user_name', 'server', 't', 'action'])
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('server_events').execute();
};
