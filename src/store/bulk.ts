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

/** One value for every row (an agent's id, a batch's time): sent once, not once per row. */
export interface Same {
  same: unknown;
}

/** A column's values, one per row, or the same for all. */
export type Column = ArrayLike<unknown> | Same;

/**
 * Rows for one table, described (not yet SQL), by column in `spec.columns` order: a batch's rows are made
 * as a few arrays instead of an array per row, which the young generation would have to copy.
 */
export interface BulkWrite {
  spec: BulkSpec;
  count: number;
  columns: readonly Column[];
}

const isSame = (c: Column): c is Same => 'same' in c;

/** A guarded batch, ready to run: true when the guard held (and every write was made), false when nothing was. */
export type GuardedRun = (db: Kysely<Database>) => Promise<boolean>;

/**
 * Several tables' rows written only if `guard` (an UPDATE … RETURNING, a compare-and-set) changes exactly one
 * row: all or nothing. `writes` is read when the dialect builds its SQL: at once, or as it runs.
 */
export type Guarded = (guard: CompiledQuery, writes: Iterable<BulkWrite>) => GuardedRun;

/**
 * The statements that write rows. Built apart from running them, so a batch can be made ready while the one
 * before it is being written; an iterable, so they can also be built one by one as they run.
 */
export type BulkInsert = (w: BulkWrite) => Iterable<CompiledQuery>;

/** A dialect's ways of writing many rows. */
export interface Bulk {
  insert: BulkInsert;
  guarded: Guarded;
}

/** Runs statements in order, inside the caller's transaction. */
export const runAll = async (tx: Kysely<Database>, queries: Iterable<CompiledQuery>): Promise<void> => {
  for (const q of queries) await tx.executeQuery(q);
};

/** SQLite takes up to 32,766 parameters a statement. */
const CHUNK_PARAMS = 30_000;

type Fold = (op: 'min' | 'max', excluded: string, current: string) => string;
/** Any dialect. */
const caseFold: Fold = (op, ex, cur) => `case when ${ex} ${op === 'min' ? '<' : '>'} ${cur} then ${ex} else ${cur} end`;
const leastGreatest: Fold = (op, ex, cur) => `${op === 'min' ? 'least' : 'greatest'}(${ex}, ${cur})`;

const conflictSql = (spec: BulkSpec, fold: Fold): string => {
  if (!spec.conflict) return '';
  if (spec.conflict === 'nothing') return ' on conflict do nothing';
  const sets = Object.entries(spec.conflict.fold).map(([c, op]) => `"${c}" = ${fold(op, `excluded."${c}"`, `"${spec.table}"."${c}"`)}`);
  return ` on conflict (${spec.conflict.keys.map((k) => `"${k}"`).join(', ')}) do update set ${sets.join(', ')}`;
};

/**
 * What a row that exists already becomes under `spec` (its ON CONFLICT clause), for a statement that writes
 * such rows from elsewhere than a BulkWrite (a rename moving rows between series folds them as writes do).
 */
export const conflictClause = (dialect: 'sqlite' | 'postgres', spec: BulkSpec): string => conflictSql(spec, dialect === 'postgres' ? leastGreatest : caseFold);

/**
 * A one-time filter (a condition with no column in it, evaluated once before the first row) that takes a
 * PostgreSQL advisory lock held to commit: statements use it to take a lock before the rows they make.
 */
export const advisoryLockFirst = (key: number, mode: 'exclusive' | 'shared'): string =>
  `(select count(*) from (select pg_advisory_xact_lock${mode === 'shared' ? '_shared' : ''}(${key})) l) = 1`;

const columnList = (spec: BulkSpec) => spec.columns.map(([c]) => `"${c}"`).join(', ');

/** Any dialect: multi-row VALUES, in chunks as large as the dialect takes (each built when it is reached). */
export const valuesInsert: BulkInsert = function* ({ spec, count, columns }) {
  const one = `(${spec.columns.map(() => '?').join(', ')})`;
  const tail = conflictSql(spec, caseFold);
  const per = Math.max(1, Math.floor(CHUNK_PARAMS / spec.columns.length));
  for (let i = 0; i < count; i += per) {
    const end = Math.min(count, i + per);
    const params: unknown[] = [];
    for (let r = i; r < end; r++) for (const c of columns) params.push(isSame(c) ? c.same : c[r]);
    yield CompiledQuery.raw(`insert into "${spec.table}" (${columnList(spec)}) values ${new Array(end - i).fill(one).join(', ')}${tail}`, params);
  }
};

/**
 * PostgreSQL: one statement per table whatever the row count, each column sent as one binary array and unnested
 * (a few parameters instead of thousands: parsing and binding stay small).
 */
export const unnestInsert: BulkInsert = (w) => {
  if (w.count === 0) return [];
  const params: unknown[] = [];
  return [CompiledQuery.raw(unnestSql(w, params), params)];
};

/**
 * The insert of one write's rows from unnested arrays, its parameters appended to `params` (numbered after
 * those there). A column with the same value for all rows is one parameter, not an array.
 */
const unnestSql = ({ spec, count, columns }: BulkWrite, params: unknown[], where?: string): string => {
  const arrays: string[] = [];
  const names: string[] = [];
  const select = spec.columns.map(([, type], i) => {
    const c = columns[i] as Column;
    params.push(isSame(c) ? c.same : arrayParam(type, c, count));
    if (isSame(c)) return `$${params.length}::${type}`;
    arrays.push(`$${params.length}::${type}[]`);
    names.push(`c${i}`);
    return `u.c${i}`;
  });
  const tail = conflictSql(spec, leastGreatest);
  const from = arrays.length > 0 ? `unnest(${arrays.join(', ')}) as u(${names.join(', ')})` : `generate_series(1, ${count})`;
  return `insert into "${spec.table}" (${columnList(spec)}) select ${select.join(', ')} from ${from}${where ? ` where ${where}` : ''}${tail}`;
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
    for (const w of writes) await runAll(tx, valuesInsert(w));
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
    if (w.count === 0) continue;
    // Ordered rows take their numbers after the lock: a one-time filter runs before the first row is made.
    const lock = w.spec.ordered ? ` and ${advisoryLockFirst(ORDER_LOCK, 'exclusive')}` : '';
    ctes.push(`w${ctes.length} as (${unnestSql(w, params, `exists (select from guard)${lock}`)})`);
  }
  const q = CompiledQuery.raw(`with ${ctes.join(', ')} select count(*)::int as moved from guard`, params);
  return async (db) => (await db.executeQuery<{ moved: number }>(q)).rows[0]?.moved === 1;
};

export const bulkFor = (dialect: 'sqlite' | 'postgres'): Bulk =>
  dialect === 'postgres' ? { insert: unnestInsert, guarded: oneStatement } : { insert: valuesInsert, guarded: inTransaction };
