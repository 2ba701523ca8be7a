import { sql, type Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import { RESOLUTION_MS, RESOLUTIONS, type KernelNotebook, type LastCounter, type Resolution, type UsageRepo, type UsageRow, type UsageSeries } from '../core/store.js';
import { runAll, type BulkInsert, type BulkSpec, type BulkWrite } from './bulk.js';
import type { StoreDialect } from './dialect.js';
import { USAGE_TABLE, type Database, type UsageTable } from './schema.js';
import { epochHeld, SERIES_RETRIES } from './series-epoch.js';
import type { IdOf, SeriesIds } from './series-ids.js';
import { pruneUsage } from './series-prune.js';
import { inRange, type SeriesColumns } from './usage-sql.js';
import type { UsageTestRepo } from './testing.js';

const ROLLUPS = ['1m', '1h', '1d'] as const;

/** Usage rows as stored (their series by id, migration 010), by column. */
interface UsageColumns {
  series: number[];
  t: number[];
  cpuFrom: number[];
  cpu: number[];
  memory: number[];
}

const noColumns = (): UsageColumns => ({ series: [], t: [], cpuFrom: [], cpu: [], memory: [] });

const keyed = (rows: readonly UsageRow[], idOf: IdOf): UsageColumns => {
  const c = noColumns();
  for (const r of rows) {
    c.series.push(idOf(r));
    c.t.push(r.t);
    c.cpuFrom.push(r.cpuFrom);
    c.cpu.push(r.cpu);
    c.memory.push(r.memory);
  }
  return c;
};

/**
 * One row per series and bucket (PostgreSQL refuses an upsert that touches a row twice), folded as the store
 * folds. The folds (min, max, max) compose, so a coarser rollup can be bucketed from a finer one's rows.
 */
const bucketed = (c: UsageColumns, size: number): UsageColumns => {
  const at = new Map<number, Map<number, number>>();
  const out = noColumns();
  for (let i = 0; i < c.t.length; i++) {
    const series = c.series[i] as number;
    const t = size > 0 ? Math.floor((c.t[i] as number) / size) * size : (c.t[i] as number);
    let buckets = at.get(series);
    if (!buckets) at.set(series, (buckets = new Map()));
    const j = buckets.get(t);
    if (j === undefined) {
      buckets.set(t, out.t.length);
      out.series.push(series);
      out.t.push(t);
      out.cpuFrom.push(c.cpuFrom[i] as number);
      out.cpu.push(c.cpu[i] as number);
      out.memory.push(c.memory[i] as number);
    } else {
      out.cpuFrom[j] = Math.min(out.cpuFrom[j] as number, c.cpuFrom[i] as number);
      out.cpu[j] = Math.max(out.cpu[j] as number, c.cpu[i] as number);
      out.memory[j] = Math.max(out.memory[j] as number, c.memory[i] as number);
    }
  }
  return out;
};

const USAGE_COLUMNS = [
  ['series', 'bigint'],
  ['t', 'bigint'],
  ['cpu_from', 'float8'],
  ['cpu', 'float8'],
  ['memory', 'bigint'],
] as const;
const FOLD = { keys: ['series', 't'], fold: { cpu_from: 'min', cpu: 'max', memory: 'max' } } as const;
const usageWrite = (spec: BulkSpec, c: UsageColumns): BulkWrite => ({ spec, count: c.t.length, columns: [c.series, c.t, c.cpuFrom, c.cpu, c.memory] });

/**
 * How raw samples meet a row of the same series and time: 'keep' keeps the stored one (and the first of a
 * batch); 'fail' inserts without that check and fails on a repeat, which is cheaper (PostgreSQL spends a
 * third of a raw row's cost on the check) for a caller that retries with 'keep'.
 */
export type RawRepeats = 'keep' | 'fail';

/**
 * The writes that store samples and fold them into every rollup (repeating them changes nothing), each made
 * as it is reached. `idOf` knows every row's series id (SeriesIds.resolve).
 */
export function* usageWrites(rows: readonly UsageRow[], idOf: IdOf, repeats: RawRepeats = 'keep'): Generator<BulkWrite> {
  if (rows.length === 0) return;
  const all = keyed(rows, idOf);
  yield usageWrite(usageSpec('raw', repeats), repeats === 'keep' ? bucketed(all, 0) : all);
  let finer = all;
  for (const res of ROLLUPS) {
    finer = bucketed(finer, RESOLUTION_MS[res]);
    yield usageWrite(usageSpec(res, repeats), finer);
  }
}

/** How rows of a resolution are written: a raw row met again as `repeats` says, a rollup's folded. */
export const usageSpec = (res: Resolution, repeats: RawRepeats): BulkSpec =>
  res === 'raw'
    ? { table: USAGE_TABLE.raw, columns: USAGE_COLUMNS, ...(repeats === 'keep' ? { conflict: 'nothing' as const } : {}) }
    : { table: USAGE_TABLE[res], columns: USAGE_COLUMNS, conflict: FOLD };

export const NOTEBOOKS: BulkSpec = {
  table: 'kernel_notebooks',
  columns: [
    ['user_name', 'text'],
    ['server', 'text'],
    ['kernel', 'text'],
    ['notebook', 'text'],
    ['last_seen', 'bigint'],
  ],
  conflict: { keys: ['user_name', 'server', 'kernel', 'notebook'], fold: { last_seen: 'max' } },
};

/** Which notebooks a kernel served, seen at `at`. */
export const notebooksWrite = (rows: readonly KernelNotebook[], at: number): BulkWrite => {
  // PostgreSQL refuses an upsert that touches one row twice: each (series, notebook) once.
  const unique = [...new Map(rows.map((r) => [`${r.user}\u0000${r.server}\u0000${r.kernel}\u0000${r.notebook}`, r])).values()];
  const column = (k: keyof KernelNotebook) => unique.map((r) => r[k]);
  return { spec: NOTEBOOKS, count: unique.length, columns: [column('user'), column('server'), column('kernel'), column('notebook'), { same: at }] };
};

/** Runs writes in order, each one's statements built as it is reached, inside the caller's transaction. */
export const runWrites = async (tx: Kysely<Database>, insert: BulkInsert, writes: Iterable<BulkWrite>): Promise<void> => {
  for (const w of writes) await runAll(tx, insert(w));
};

const parseNumbers = (json: string): number[] => JSON.parse(json) as number[];

/** The series with its rows sorted by time (t is unique within a series); as it is when already sorted. */
export const inTimeOrder = (s: UsageSeries): UsageSeries => {
  let sorted = true;
  for (let i = 1; i < s.t.length && sorted; i++) sorted = (s.t[i] as number) > (s.t[i - 1] as number);
  if (sorted) return s;
  const order = s.t.map((_, i) => i).sort((a, b) => (s.t[a] as number) - (s.t[b] as number));
  return { ...s, t: order.map((i) => s.t[i] as number), used: order.map((i) => s.used[i] as number), memory: order.map((i) => s.memory[i] as number) };
};

/** A write's series were deleted or renamed since their ids were read: it is rolled back and made again. */
class StaleSeries extends Error {}

/** The usage repo, with the writes and row reads that only tests and benches use (testing.ts). */
export const createUsageRepo = (db: Kysely<Database>, dialect: StoreDialect, ids: SeriesIds): UsageRepo & UsageTestRepo => ({
  write: async (rows) => {
    if (rows.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      // Series seen before cost no round trip: resolve() asks the database only for new ones.
      const idOf = await ids.resolve(rows);
      const stored = await db
        .transaction()
        .execute(async (tx) => {
          await runWrites(tx, dialect.bulk.insert, usageWrites(rows, idOf));
          // Checked after the writes, which on SQLite hold the write lock by then (series-epoch.ts).
          if (!(await epochHeld(tx, dialect, idOf.epoch))) throw new StaleSeries();
        })
        .then(
          () => true,
          (err: unknown) => {
            if (!(err instanceof StaleSeries)) throw err;
            if (attempt >= SERIES_RETRIES) throw conflict('usage series kept changing while samples were written');
            return false;
          },
        );
      if (stored) return;
      await ids.moved(idOf.epoch);
    }
  },
  noteNotebooks: async (rows, at) => {
    if (rows.length > 0) await runWrites(db, dialect.bulk.insert, [notebooksWrite(rows, at)]);
  },
  query: async (q) => {
    const { rows } = await sql<SeriesColumns & Omit<UsageTable, 'series'>>`
      select s.user_name, s.server, s.kernel, u.t, u.cpu_from, u.cpu, u.memory ${inRange(q)}
      order by s.user_name, s.server, s.kernel, u.t`.execute(db);
    return rows.map((r) => ({ user: r.user_name, server: r.server, kernel: r.kernel, t: Number(r.t), cpuFrom: Number(r.cpu_from), cpu: Number(r.cpu), memory: Number(r.memory) }));
  },
  series: async (q) => {
    // Each series' rows as three JSON arrays: one string per column to parse instead of an object (with
    // three label strings) per row, which was most of a month-long all-users query. Both databases print
    // doubles so that they parse back to the same value, so the numbers are query()'s exactly. No ORDER BY
    // inside the aggregates (a sort per group and column): the rows are gathered in the order the plan meets
    // them (by series then time, from the key), and put in time order here if they are not.
    const { rows } = await sql<SeriesColumns & { t: string; used: string; memory: string }>`${dialect.seriesSql(q)}`.execute(db);
    return rows.map((r) => inTimeOrder({ user: r.user_name, server: r.server, kernel: r.kernel, t: parseNumbers(r.t), used: parseNumbers(r.used), memory: parseNumbers(r.memory) }));
  },
  notebooks: async (f) => {
    let query = db.selectFrom('kernel_notebooks').selectAll();
    if (f.user !== undefined) query = query.where('user_name', '=', f.user);
    if (f.server !== undefined) query = query.where('server', '=', f.server);
    const rows = await query.orderBy('notebook').execute();
    return rows.map((r) => ({ user: r.user_name, server: r.server, kernel: r.kernel, notebook: r.notebook }));
  },
  lastCounters: async (user, server, kernels) => {
    // Counters only grow, so the highest stored value of a series, from any resolution, is its last.
    // One key seek per series and resolution: this runs for every series a sampler meets.
    const out = new Map<string, LastCounter>();
    if (kernels.length === 0) return out;
    const series = await db
      .selectFrom('usage_series')
      .select(['id', 'kernel'])
      .where('user_name', '=', user)
      .where('server', '=', server)
      .where('kernel', 'in', [...kernels])
      .execute();
    for (const { id, kernel } of series) {
      for (const res of RESOLUTIONS) {
        const r = await db.selectFrom(USAGE_TABLE[res]).where('series', '=', id).select(['t', 'cpu']).orderBy('t', 'desc').limit(1).executeTakeFirst();
        if (!r) continue;
        const cur = out.get(kernel);
        // A rollup knows its last sample only to within its bucket: the bucket's end; a raw row exactly.
        const t = Number(r.t) + RESOLUTION_MS[res];
        if (!cur || Number(r.cpu) > cur.cpu || (Number(r.cpu) === cur.cpu && t < cur.t)) out.set(kernel, { t, cpu: Number(r.cpu) });
      }
    }
    return out;
  },
  prune: async (before: Record<Resolution, number>) => {
    await pruneUsage(db, dialect, before);
    // A kernel's notebooks label its rows at every resolution: kept while any of them may be.
    await db.deleteFrom('kernel_notebooks').where('last_seen', '<', Math.min(...RESOLUTIONS.map((r) => before[r]))).execute();
  },
});
