import type { Kysely } from 'kysely';

/**
 * Spark clusters and the jobs submitted to them (issue 19). `users`, `handle`, `endpoints`, `args` and `conf`
 * are JSON; times are epoch milliseconds.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('clusters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('users', 'text', (c) => c.notNull())
    .addColumn('workers', 'integer', (c) => c.notNull())
    .addColumn('worker_cores', 'integer', (c) => c.notNull())
    .addColumn('worker_memory_mb', 'integer', (c) => c.notNull())
    .addColumn('desired', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('endpoints', 'text')
    .addColumn('failure', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('started', 'bigint')
    .addColumn('stopped', 'bigint')
    .execute();
  await db.schema
    .createTable('spark_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('main_class', 'text', (c) => c.notNull())
    .addColumn('args', 'text', (c) => c.notNull())
    .addColumn('conf', 'text', (c) => c.notNull())
    .addColumn('submission_id', 'text')
    .addColumn('app_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('submitted', 'bigint', (c) => c.notNull())
    .addColumn('ended', 'bigint')
    .execute();
  // The history reads newest first, per cluster or per user.
  await db.schema.createIndex('spark_jobs_cluster_submitted').on('spark_jobs').columns(['cluster', 'submitted']).execute();
  await db.schema.createIndex('spark_jobs_user_submitted').on('spark_jobs').columns(['user_name', 'submitted']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('spark_jobs').execute();
  await db.schema.dropTable('clusters').execute();
};
