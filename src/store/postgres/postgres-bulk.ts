import { setImmediate as nextTurn } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import { columnList, conflictClause, isSame, type Bulk, type BulkInsert, type BulkWrite, type Column, type Guarded } from '../bulk.js';
import type { Fold } from '../dialect.js';
import { arrayParam } from './pg-array.js';

export const leastGreatest: Fold = (op, ex, cur) => `${op === 'min' ? 'least' : 'greatest'}(${ex}, ${cur})`;

/**
 * A one-time filter (a condition with no column in it, evaluated once before the first row) that takes a
 * PostgreSQL advisory lock held to commit: statements use it to take a lock before the rows they make.
 */
export const advisoryLockFirst = (key: number, mode: 'exclusive' | 'shared'): string =>
  `(select count(*) from (select pg_advisory_xact_lock${mode === 'shared' ? '_shared' : ''}(${key})) l) = 1`;

/** Advisory lock under which `ordered` rows get their numbers (held to commit). */
export const ORDER_LOCK = 0x6e6268756206;

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
  const tail = conflictClause(spec, leastGreatest);
  const from = arrays.length > 0 ? `unnest(${arrays.join(', ')}) as u(${names.join(', ')})` : `generate_series(1, ${count})`;
  return `insert into "${spec.table}" (${columnList(spec)}) select ${select.join(', ')} from ${from}${where ? ` where ${where}` : ''}${tail}`;
};

/**
 * One statement per table whatever the row count, each column sent as one binary array and unnested (a few
 * parameters instead of thousands: parsing and binding stay small).
 */
const unnestInsert: BulkInsert = (w) => {
  if (w.count === 0) return [];
  const params: unknown[] = [];
  return [CompiledQuery.raw(unnestSql(w, params), params)];
};

/**
 * One statement whose data-modifying CTEs insert each table's rows only when the guard returned its row (a
 * one-time filter: the guard runs first, and a writer that loses its race inserts nothing). One statement is
 * one round trip and its own transaction: the backend does a whole batch's work without waiting for this
 * process between statements, so it overlaps the hub's work on the next batch (with one statement per table
 * the hub, busy decoding that batch, let each reply wait: the two took turns). Its SQL and arrays are built
 * from now on, a table at a time with a turn of the event loop before each: a sweep of 1,000 runtimes built
 * at once held the loop (and with it the proxy and the API) for ~100 ms.
 */
const oneStatement: Guarded = (guard, writes) => {
  const built = (async () => {
    const params: unknown[] = [...guard.parameters];
    const ctes = [`guard as (${guard.sql})`];
    for (const w of writes) {
      if (w.count === 0) continue;
      await nextTurn();
      // Ordered rows take their numbers after the lock: a one-time filter runs before the first row is made.
      const lock = w.spec.ordered ? ` and ${advisoryLockFirst(ORDER_LOCK, 'exclusive')}` : '';
      ctes.push(`w${ctes.length} as (${unnestSql(w, params, `exists (select from guard)${lock}`)})`);
    }
    return CompiledQuery.raw(`with ${ctes.join(', ')} select count(*)::int as moved from guard`, params);
  })();
  // A batch prepared and then dropped (stored again under new ids) reports its failure nowhere.
  built.catch(() => undefined);
  return async (db) => (await db.executeQuery<{ moved: number }>(await built)).rows[0]?.moved === 1;
};

export const postgresBulk: Bulk = { insert: unnestInsert, guarded: oneStatement };
