import { sql, type CompiledQuery, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { RESOLUTION_MS, RESOLUTIONS, type KernelNotebook, type LastCounter, type Resolution, type UsageQuery, type UsageRepo, type UsageRow, type UsageSeries } from '../core/store.js';
import { runAll, type BulkInsert } from './bulk.js';
import type { Database, UsageTable } from './schema.js';

const TABLE = { raw: 'usage_raw', '1m': 'usage_1m', '1h': 'usage_1h', '1d': 'usage_1d' } as const;
const ROLLUPS = ['1m', '1h', '1d'] as const;
const CHUNK = 500;

const fromTable = (r: UsageTable): UsageRow => ({
  user: r.user_name,
  server: r.server,
  kernel: r.kernel,
  t: Number(r.t),
  cpuFrom: Number(r.cpu_from),
  cpu: Number(r.cpu),
  memory: Number(r.memory),
});

/**
 * One row per series and bucket (PostgreSQL refuses an upsert that touches a row twice), folded as the store
 * folds. The folds (min, max, max) compose, so a coarser rollup can be bucketed from a finer one's rows.
 */
const bucketed = (rows: readonly UsageRow[], size: number): UsageRow[] => {
  const out = new Map<string, UsageRow>();
  for (const r of rows) {
    const t = size > 0 ? Math.floor(r.t / size) * size : r.t;
    const key = `${r.user}\u0000${r.server}\u0000${r.kernel}\u0000${t}`;
    const cur = out.get(key);
    if (!cur) out.set(key, { ...r, t });
    else {
      cur.cpuFrom = Math.min(cur.cpuFrom, r.cpuFrom);
      cur.cpu = Math.max(cur.cpu, r.cpu);
      cur.memory = Math.max(cur.memory, r.memory);
    }
  }
  return [...out.values()];
};

const USAGE_COLUMNS = [
  ['user_name', 'text'],
  ['server', 'text'],
  ['kernel', 'text'],
  ['t', 'bigint'],
  ['cpu_from', 'float8'],
  ['cpu', 'float8'],
  ['memory', 'bigint'],
] as const;
const asArray = (r: UsageRow) => [r.user, r.server, r.kernel, r.t, r.cpuFrom, r.cpu, r.memory];
const FOLD = { keys: ['user_name', 'server', 'kernel', 't'], fold: { cpu_from: 'min', cpu: 'max', memory: 'max' } } as const;

/**
 * How raw samples meet a row of the same series and time: 'keep' keeps the stored one (and the first of a
 * batch); 'fail' inserts without that check and fails on a repeat, which is cheaper (PostgreSQL spends a
 * third of a raw row's cost on the check) for a caller that retries with 'keep'.
 */
export type RawRepeats = 'keep' | 'fail';

/** The statements that store samples and fold them into every rollup (repeating them changes nothing), built as they are reached. */
export function* usageStatements(bulk: BulkInsert, rows: readonly UsageRow[], repeats: RawRepeats = 'keep'): Generator<CompiledQuery> {
  if (rows.length === 0) return;
  const raw = repeats === 'keep' ? bucketed(rows, 0) : rows;
  yield* bulk({ table: 'usage_raw', columns: USAGE_COLUMNS, ...(repeats === 'keep' ? { conflict: 'nothing' as const } : {}) }, raw.map(asArray));
  let finer: readonly UsageRow[] = rows;
  for (const res of ROLLUPS) {
    finer = bucketed(finer, RESOLUTION_MS[res]);
    yield* bulk({ table: TABLE[res], columns: USAGE_COLUMNS, conflict: FOLD }, finer.map(asArray));
  }
}

/** Remembers which notebooks a kernel served, inside the caller's transaction. */
export const upsertNotebooks = async (tx: Kysely<Database>, rows: readonly KernelNotebook[], at: number): Promise<void> => {
  // PostgreSQL refuses an upsert that touches one row twice: each (series, notebook) once.
  const unique = [...new Map(rows.map((r) => [`${r.user}\u0000${r.server}\u0000${r.kernel}\u0000${r.notebook}`, r])).values()];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const values = unique.slice(i, i + CHUNK).map((r) => ({ user_name: r.user, server: r.server, kernel: r.kernel, notebook: r.notebook, last_seen: at }));
    await tx
      .insertInto('kernel_notebooks')
      .values(values)
      .onConflict((oc) => oc.columns(['user_name', 'server', 'kernel', 'notebook']).doUpdateSet({ last_seen: at }))
      .execute();
  }
};

/** A UsageQuery's rows, filtered (raw: with each series' first row after the range when asked). */
const inRange = (db: Kysely<Database>, q: UsageQuery) => {
  const table = TABLE[q.resolution];
  const filtered = <Q extends SelectQueryBuilder<Database, typeof table, object>>(query: Q): Q => {
    let out = query;
    if (q.user !== undefined) out = out.where('user_name', '=', q.user) as Q;
    if (q.server !== undefined) out = out.where('server', '=', q.server) as Q;
    if (q.kernels === 'runtime') out = out.where('kernel', '=', '') as Q;
    else if (q.kernels === 'kernels') out = out.where('kernel', '!=', '') as Q;
    else out = out.where('kernel', '=', q.kernels.id) as Q;
    return out;
  };
  const trailing = q.resolution === 'raw' && q.trailingMs ? q.trailingMs : 0;
  const trailers = filtered(db.selectFrom(table).where('t', '>', q.to).where('t', '<=', q.to + trailing))
    .select(['user_name', 'server', 'kernel', (eb) => eb.fn.min('t').as('t')])
    .groupBy(['user_name', 'server', 'kernel']);
  return db
    .selectFrom(table)
    .where((eb) =>
      trailing > 0
        ? eb.or([eb.and([eb('t', '>=', q.from), eb('t', '<=', q.to)]), sql<boolean>`(user_name, server, kernel, t) in (${trailers})`])
        : eb.and([eb('t', '>=', q.from), eb('t', '<=', q.to)]),
    )
    .$call((qb) => filtered(qb));
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

export const createUsageRepo = (db: Kysely<Database>, bulk: BulkInsert, dialect: 'sqlite' | 'postgres'): UsageRepo => ({
  write: async (rows) => {
    if (rows.length === 0) return;
    const queries = usageStatements(bulk, rows);
    await db.transaction().execute((tx) => runAll(tx, queries));
  },
  noteNotebooks: (rows, at) => upsertNotebooks(db, rows, at),
  query: async (q) => {
    const rows = await inRange(db, q)
      .select(['user_name', 'server', 'kernel', 't', 'cpu_from', 'cpu', 'memory'])
      .orderBy('user_name')
      .orderBy('server')
      .orderBy('kernel')
      .orderBy('t')
      .execute();
    return rows.map(fromTable);
  },
  series: async (q) => {
    // Each series' rows as three JSON arrays: one string per column to parse instead of an object (with
    // three label strings) per row, which was most of a month-long all-users query. Both databases print
    // doubles so that they parse back to the same value, so the numbers are query()'s exactly. No ORDER BY
    // inside the aggregates (a sort per group and column, most of the query's time): the rows are
    // gathered in the order the plan meets them, and put in time order here if they are not.
    const agg = dialect === 'postgres' ? (x: RawBuilder<unknown>) => sql<string>`json_agg(${x})::text` : (x: RawBuilder<unknown>) => sql<string>`json_group_array(${x})`;
    const used = dialect === 'postgres' ? sql`greatest(cpu - cpu_from, 0)` : sql`max(cpu - cpu_from, 0)`;
    const rows = await inRange(db, q)
      .select(['user_name', 'server', 'kernel', agg(sql`t`).as('t'), agg(used).as('used'), agg(sql`memory`).as('memory')])
      .groupBy(['user_name', 'server', 'kernel'])
      .orderBy('user_name')
      .orderBy('server')
      .orderBy('kernel')
      .execute();
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
    // One index seek per series and resolution: this runs for every series a sampler meets.
    const out = new Map<string, LastCounter>();
    for (const kernel of kernels) {
      for (const res of RESOLUTIONS) {
        const r = await db
          .selectFrom(TABLE[res])
          .where('user_name', '=', user)
          .where('server', '=', server)
          .where('kernel', '=', kernel)
          .select(['t', 'cpu'])
          .orderBy('t', 'desc')
          .limit(1)
          .executeTakeFirst();
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
    for (const res of RESOLUTIONS) await db.deleteFrom(TABLE[res]).where('t', '<', before[res]).execute();
    // A kernel's notebooks label its rows at every resolution: kept while any of them may be.
    await db.deleteFrom('kernel_notebooks').where('last_seen', '<', Math.min(...RESOLUTIONS.map((r) => before[r]))).execute();
  },
});
