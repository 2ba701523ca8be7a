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
  const cols = spec.columns.map(([c]) => `"${c}"`).join(', ');
  const arrays = spec.columns.map(([, t], i) => arrayParam(t, rows.map((r) => r[i])));
  const unnest = spec.columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ');
  const tail = conflictSql(spec, (op, ex, cur) => `${op === 'min' ? 'least' : 'greatest'}(${ex}, ${cur})`);
  return [CompiledQuery.raw(`insert into "${spec.table}" (${cols}) select * from unnest(${unnest})${tail}`, arrays)];
};

export const bulkFor = (dialect: 'sqlite' | 'postgres'): BulkInsert => (dialect === 'postgres' ? unnestInsert : valuesInsert);
