import { sql, type Kysely } from 'kysely';

const TABLES = ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d'] as const;

/**
 * Usage series rows may now be deleted (a user deleted, merged by a rename, or left without rows by
 * pruning), so a series id remembered by a hub instance can go stale. `usage_series_epoch` holds one number,
 * moved on by every such change; a writer stores rows only under the epoch its ids were read at
 * (series-epoch.ts says how). Series that were only names (a batch that failed after they were made) are
 * dropped once here; from now on pruning drops those its deletions empty.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.createTable('usage_series_epoch').addColumn('epoch', 'bigint', (c) => c.notNull()).execute();
  await sql`insert into usage_series_epoch (epoch) values (0)`.execute(db);
  const empty = sql.join(
    TABLES.map((t) => sql`not exists (select 1 from ${sql.table(t)} u where u.series = usage_series.id)`),
    sql` and `,
  );
  await sql`delete from usage_series where ${empty}`.execute(db);
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('usage_series_epoch').execute();
};
