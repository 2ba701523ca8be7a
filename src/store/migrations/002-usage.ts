import type { Kysely } from 'kysely';

// Raw samples and two rollups share one shape: at bucket start t, the last CPU counter and the peak memory.
const TABLES = ['usage_raw', 'usage_1m', 'usage_1h'] as const;

export const up = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of TABLES) {
    await db.schema
      .createTable(table)
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('server', 'text', (c) => c.notNull())
      .addColumn('kernel', 'text', (c) => c.notNull())
      .addColumn('t', 'bigint', (c) => c.notNull())
      .addColumn('cpu', 'double precision', (c) => c.notNull())
      .addColumn('memory', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['user_name', 'server', 'kernel', 't'])
      .execute();
    await db.schema.createIndex(`${table}_t`).on(table).column('t').execute();
  }
  await db.schema
    .createTable('kernel_notebooks')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('kernel', 'text', (c) => c.notNull())
    .addColumn('notebook', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('kernel_notebooks_pk', ['user_name', 'server', 'kernel', 'notebook'])
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('kernel_notebooks').execute();
  for (const table of TABLES) await db.schema.dropTable(table).execute();
};
