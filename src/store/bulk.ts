import { CompiledQuery, type Kysely } from 'kysely';
import type { Fold } from './dialect.js';
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

export const isSame = (c: Column): c is Same => 'same' in c;

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

/** Any dialect. */
export const caseFold: Fold = (op, ex, cur) => `case when ${ex} ${op === 'min' ? '<' : '>'} ${cur} then ${ex} else ${cur} end`;

/**
 * What a row that exists already becomes under `spec` (its ON CONFLICT clause), also for a statement that
 * writes such rows from elsewhere than a BulkWrite (a rename moving rows between series folds them as writes do).
 */
export const conflictClause = (spec: BulkSpec, fold: Fold): string => {
  if (!spec.conflict) return '';
  if (spec.conflict === 'nothing') return ' on conflict do nothing';
  const sets = Object.entries(spec.conflict.fold).map(([c, op]) => `"${c}" = ${fold(op, `excluded."${c}"`, `"${spec.table}"."${c}"`)}`);
  return ` on conflict (${spec.conflict.keys.map((k) => `"${k}"`).join(', ')}) do update set ${sets.join(', ')}`;
};

export const columnList = (spec: BulkSpec): string => spec.columns.map(([c]) => `"${c}"`).join(', ');

/**
 * Any dialect: multi-row VALUES, in chunks of at most `maxRows` rows and as large as the dialect takes,
 * each built when it is reached.
 */
export const valuesInsert =
  (maxRows = Infinity): BulkInsert =>
  function* ({ spec, count, columns }) {
    const one = `(${spec.columns.map(() => '?').join(', ')})`;
    const tail = conflictClause(spec, caseFold);
    const per = Math.max(1, Math.min(maxRows, Math.floor(CHUNK_PARAMS / spec.columns.length)));
    for (let i = 0; i < count; i += per) {
      const end = Math.min(count, i + per);
      const params: unknown[] = [];
      for (let r = i; r < end; r++) for (const c of columns) params.push(isSame(c) ? c.same : c[r]);
      yield CompiledQuery.raw(`insert into "${spec.table}" (${columnList(spec)}) values ${new Array(end - i).fill(one).join(', ')}${tail}`, params);
    }
  };
