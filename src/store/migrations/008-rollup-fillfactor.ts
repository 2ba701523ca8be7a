import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Every stored batch folds into the same hourly and daily rows of each series (~4,000 rows per batch with
// 1,000 runtimes). With room left on their pages PostgreSQL updates them in place (HOT: no new index entries),
// which cut those upserts' CPU by more than half (bench/ingest-profile). Minute rows are touched a batch or
// two, then never: the room would stay empty for their 30 days, and it saved little. SQLite has no such knob.
const TABLES = ['usage_1h', 'usage_1d'] as const;

export const up = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const t of TABLES) await sql`alter table ${sql.table(t)} set (fillfactor = 70)`.execute(db);
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const t of TABLES) await sql`alter table ${sql.table(t)} reset (fillfactor)`.execute(db);
};
