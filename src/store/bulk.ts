import { CompiledQuery, type Kysely } from 'kysely';
import { arrayParam } from './pg-array.js';
import type { Database } from './schema.js';

export type ColumnType = 'text' | 'bigint' | 'float8';

/** A many-row insert: its columns (in order) and what a row that exists already becomes. */
export interface BulkSpec {
  table: keyof Database & string;
  columns: ReadonlyArray<readonly [string, ColumnType]>;
  /** Absent: a conflict is an error. 'nothing': the row stays. Else the key and each column's fold. */
  conflict?: 'nothing' | { keys: readonly string[]; fold: Readonly<Record<string, 'min' | 'max'>> };
  /**
   * The table numbers its rows (a sequence) and readers page by that number: the numbers must ascend in
   * commit order, so concurrent writers take them one at a time (PostgreSQL: a lock held to commit).
   */
  ordered?: boolean;
}

/** Rows for one table, described (not yet SQL). */
export interface BulkWrite {
  spec: BulkSpec;
  rows: ReadonlyArray<readonly unknown[]>;
}

/** A guarded batch, ready to run: true when the guard held (and every write was made), false when nothing was. */
export type GuardedRun = (db: Kysely<Database>) => Promise<boolean>;

/**
 * Several tables' rows written only if `guard` (an UPDATE … RETURNING, a compare-and-set) changes exactly one
 * row: all or nothing. `writes` is read when the dialect builds its SQL: at once, or as it runs.
 */
export type Guarded = (guard: CompiledQuery, writes: Iterable<BulkWrite>) => GuardedRun;

/** A dialect's ways of writing many rows. */
export interface Bulk {
  insert: BulkInsert;
  guarded: Guarded;
}

/**
 * The statements that write rows (arrays in `columns` order). Built apart from running them, so a batch can
 * be made ready while the one before it is being written; an iterable, so they can also be built one by one
 * as they run.
 */
export type BulkInsert = (spec: BulkSpec, rows: ReadonlyArray<readonly unknown[]>) => Iterable<CompiledQuery>;

/** Runs statements in order, inside the caller's transaction. */
export const runAll = async (tx: Kysely<Database>, queries: Iterable<CompiledQuery>): Promise<void> => {
  for (const q of queries) await tx.executeQuery(q);
};

/** SQLite takes up to 32,766 parameters a statement. */
const CHUNK_PARAMS = 30_000;

const conflictSql = (spec: BulkSpec, fold: (op: 'min' | 'max', excluded: string, current: string) => string): string => {
  if (!spec.conflict) return '';
  if (spec.conflict === 'nothing') return ' on conflict do nothing';
  const sets = Object.entries(spec.conflict.fold).map(([c, op]) => `"${c}" = ${fold(op, `excluded."${c}"`, `"${spec.table}"."${c}"`)}`);
  return ` on conflict (${spec.conflict.keys.map((k) => `"${k}"`).join(', ')}) do update set ${sets.join(', ')}`;
};

/** Any dialect: multi-row VALUES, in chunks as large as the dialect takes (each built when it is reached). */
export const valuesInsert: BulkInsert = function* (spec, rows) {
  const cols = spec.columns.map(([c]) => `"${c}"`).join(', ');
  const one = `(${spec.columns.map(() => '?').join(', ')})`;
  const tail = conflictSql(spec, (op, ex, cur) => `case when ${ex} ${op === 'min' ? '<' : '>'} ${cur} then ${ex} else ${cur} end`);
  const per = Math.max(1, Math.floor(CHUNK_PARAMS / spec.columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    yield CompiledQuery.raw(`insert into "${spec.table}" (${cols}) values ${chunk.map(() => one).join(', ')}${tail}`, chunk.flat());
  }
};

/**
 * PostgreSQL: one statement per table whatever the row count, each column sent as one binary array and unnested
 * (a few parameters instead of thousands: parsing and binding stay small).
 */
export const unnestInsert: BulkInsert = (spec, rows) => {
  if (rows.length === 0) return [];
  const params: unknown[] = [];
  return [CompiledQuery.raw(unnestSql({ spec, rows }, params), params)];
};

/** The insert of one write's rows from unnested arrays, appended to `params` (numbered after those there). */
const unnestSql = ({ spec, rows }: BulkWrite, params: unknown[], where?: string): string => {
  const cols = spec.columns.map(([c]) => `"${c}"`).join(', ');
  const unnest = spec.columns.map(([, t], i) => `$${params.length + i + 1}::${t}[]`).join(', ');
  for (const [i, [, t]] of spec.columns.entries()) params.push(arrayParam(t, rows.map((r) => r[i])));
  const tail = conflictSql(spec, (op, ex, cur) => `${op === 'min' ? 'least' : 'greatest'}(${ex}, ${cur})`);
  return `insert into "${spec.table}" (${cols}) select * from unnest(${unnest})${where ? ` where ${where}` : ''}${tail}`;
};

/** PostgreSQL advisory lock under which `ordered` rows get their numbers (held to commit). */
export const ORDER_LOCK = 0x6e6268756206;

/**
 * SQLite: one transaction of statements, each built as it is reached (SQLite runs them in this thread, where
 * building ahead gains nothing and keeps a whole batch of parameters alive at once). One writer at a time,
 * so `ordered` needs nothing more.
 */
const inTransaction: Guarded = (guard, writes) => (db) =>
  db.transaction().execute(async (tx) => {
    if ((await tx.executeQuery(guard)).rows.length !== 1) return false;
    for (const w of writes) await runAll(tx, valuesInsert(w.spec, w.rows));
    return true;
  });

/**
 * PostgreSQL: one statement, built now, whose data-modifying CTEs insert each table's rows only when the guard
 * returned its row (a one-time filter: the guard runs first, and a writer that loses its race inserts nothing).
 * One statement is one round trip and its own transaction: the backend does a whole batch's work without
 * waiting for this process between statements, so it overlaps the hub's work on the next batch (with one
 * statement per table the hub, busy decoding that batch, let each reply wait: the two took turns).
 */
const oneStatement: Guarded = (guard, writes) => {
  const params: unknown[] = [...guard.parameters];
  const ctes = [`guard as (${guard.sql})`];
  for (const w of writes) {
    if (w.rows.length === 0) continue;
    // Ordered rows take their numbers after the lock: a one-time filter runs before the first row is made.
    const lock = w.spec.ordered ? ` and (select count(*) from (select pg_advisory_xact_lock(${ORDER_LOCK})) l) = 1` : '';
    ctes.push(`w${ctes.length} as (${unnestSql(w, params, `exists (select from guard)${lock}`)})`);
  }
  const q = CompiledQuery.raw(`with ${ctes.join(', ')} select count(*)::int as moved from guard`, params);
  return async (db) => (await db.executeQuery<{ moved: number }>(q)).rows[0]?.moved === 1;
};

export const bulkFor = (dialect: 'sqlite' | 'postgres'): Bulk =>
  dialect === 'postgres' ? { insert: unnestInsert, guarded: oneStatement } : { insert: valuesInsert, guarded: inTransaction };
