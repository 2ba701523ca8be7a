import type { Kysely } from 'kysely';

// An execution's share of the Spark cluster its runtime is attached to (issue 19): executor CPU-seconds of the
// cell's jobs; null when the runtime has no cluster or the cell started no job.
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('executions').addColumn('spark_cpu_seconds', 'double precision').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('executions').dropColumn('spark_cpu_seconds').execute();
};
