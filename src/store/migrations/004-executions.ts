import type { Kysely } from 'kysely';

// Execution history (issue 4). Times are epoch milliseconds; candidates is a JSON array of notebook paths.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('executions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('kernel', 'text', (c) => c.notNull())
    .addColumn('notebook', 'text')
    .addColumn('attribution', 'text', (c) => c.notNull())
    .addColumn('candidates', 'text', (c) => c.notNull())
    .addColumn('cell_id', 'text')
    .addColumn('msg_id', 'text', (c) => c.notNull())
    .addColumn('client_session', 'text', (c) => c.notNull())
    .addColumn('execution_count', 'integer')
    .addColumn('code', 'text')
    .addColumn('code_sha256', 'text', (c) => c.notNull())
    .addColumn('code_bytes', 'integer', (c) => c.notNull())
    .addColumn('requested', 'bigint', (c) => c.notNull())
    .addColumn('started', 'bigint', (c) => c.notNull())
    .addColumn('ended', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_name', 'text')
    .addColumn('cpu_seconds', 'double precision')
    .addColumn('peak_memory', 'bigint')
    .execute();
  // Listings filter by owner (and server, notebook) and read newest first; retention deletes by start.
  await db.schema.createIndex('executions_user_started').on('executions').columns(['user_name', 'server', 'started']).execute();
  await db.schema.createIndex('executions_started').on('executions').column('started').execute();
  await db.schema.createIndex('executions_kernel').on('executions').column('kernel').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('executions').execute();
};
