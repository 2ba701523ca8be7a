import { sql, type Kysely, type RawBuilder } from 'kysely';
import { RESOLUTION_MS, RESOLUTIONS, type Resolution } from '../core/store.js';
import { USAGE_TABLE, type Database } from './schema.js';
import type { StoreDialect } from './dialect.js';
import { moveEpoch } from './series-epoch.js';

/** Series ids a statement, well under SQLite's parameter limit. */
const CHUNK = 500;

/**
 * The resolutions whose pruned rows can be a series' last. Every write stores a sample at every resolution
 * (bucketed down), so a row of resolution r, at t >= before[r], comes with one of resolution l at more than
 * t - RESOLUTION_MS[l]: while before[l] + RESOLUTION_MS[l] <= before[r], that one outlives it, and r's
 * deletions never empty a series. With the default retentions only the daily rows' deletions can (a few rows
 * per series and day, where the raw rows' are thousands).
 */
export const lastRowResolutions = (before: Record<Resolution, number>): Resolution[] =>
  RESOLUTIONS.filter((r) => !RESOLUTIONS.some((l) => l !== r && before[l] + RESOLUTION_MS[l] <= before[r]));

/** The condition that series `id` has no usage rows left, at any resolution. */
const rowless = (id: RawBuilder<unknown>): RawBuilder<boolean> =>
  sql<boolean>`${sql.join(
    RESOLUTIONS.map((r) => sql`not exists (select 1 from ${sql.table(USAGE_TABLE[r])} u where u.series = ${id})`),
    sql` and `,
  )}`;

/** Deletes the rows of a resolution older than `before`, noting their series in `touched` when given. */
const deleteOlder = async (db: Kysely<Database>, dialect: StoreDialect, table: string, before: number, touched: Set<number> | undefined) => {
  if (!touched) {
    await sql`delete from ${sql.table(table)} where t < ${before}`.execute(db);
    return;
  }
  for (const series of await dialect.deleteOlderSeries(db, table, before)) touched.add(series);
};

/**
 * Deletes usage rows older than each resolution's cut-off, then the series those deletions left without rows.
 * Only series that lost rows (in resolutions that can hold a series' last row) are looked at, not every
 * series against every table. A series named but never given rows (its batch failed) is not among them;
 * migration 013 dropped those made before it, and later ones are rare.
 */
export const pruneUsage = async (db: Kysely<Database>, dialect: StoreDialect, before: Record<Resolution, number>): Promise<void> => {
  const last = new Set(lastRowResolutions(before));
  const touched = new Set<number>();
  for (const r of RESOLUTIONS) await deleteOlder(db, dialect, USAGE_TABLE[r], before[r], last.has(r) ? touched : undefined);
  const candidates = [...touched];
  const empty: number[] = [];
  for (let i = 0; i < candidates.length; i += CHUNK) {
    const chunk = candidates.slice(i, i + CHUNK);
    const { rows } = await sql<{ id: number }>`select id from usage_series s where s.id in (${sql.join(chunk)}) and ${rowless(sql.ref('s.id'))}`.execute(db);
    for (const r of rows) empty.push(Number(r.id));
  }
  if (empty.length === 0) return;
  // Under the epoch's lock, the writers under way have committed: a series given rows since is kept.
  await db.transaction().execute(async (tx) => {
    await moveEpoch(tx, dialect);
    for (let i = 0; i < empty.length; i += CHUNK) {
      const chunk = empty.slice(i, i + CHUNK);
      await sql`delete from usage_series where id in (${sql.join(chunk)}) and ${rowless(sql.ref('usage_series.id'))}`.execute(tx);
    }
  });
};
