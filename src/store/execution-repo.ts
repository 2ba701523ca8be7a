import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { ExecutionQuery, ExecutionRepo } from '../core/executions.js';
import { executionFromRow, executionToRow } from './execution-rows.js';
import type { StoreDialect } from './dialect.js';
import type { Database } from './schema.js';

type Filter = Omit<ExecutionQuery, 'offset' | 'limit'> & { wholly?: boolean; except?: readonly string[] };

const filtered = <Q extends SelectQueryBuilder<Database, 'executions', object>>(query: Q, f: Filter): Q => {
  let q = query;
  if (f.user !== undefined) q = q.where('user_name', '=', f.user) as Q;
  if (f.server !== undefined) q = q.where('server', '=', f.server) as Q;
  if (f.kernelId !== undefined) q = q.where('kernel', '=', f.kernelId) as Q;
  if (f.notebook !== undefined) q = q.where('notebook', '=', f.notebook) as Q;
  if (f.status !== undefined) q = q.where('status', '=', f.status) as Q;
  // Overlap with [since, until]: an execution still running (or lost: its end unknown) overlaps any later range.
  if (f.until !== undefined) q = q.where('started', '<=', f.until) as Q;
  const since = f.since;
  if (since !== undefined) q = q.where((eb) => eb.or([eb('ended', '>=', since), eb('ended', 'is', null)])) as Q;
  if (f.wholly) {
    q = q.where('ended', 'is not', null) as Q;
    if (since !== undefined) q = q.where('started', '>=', since) as Q;
    if (f.until !== undefined) q = q.where('ended', '<=', f.until) as Q;
  }
  if (f.except !== undefined && f.except.length > 0) q = q.where('id', 'not in', [...f.except]) as Q;
  return q;
};

export const createExecutionRepo = (db: Kysely<Database>, dialect: StoreDialect): ExecutionRepo => ({
  put: async (records) => {
    if (records.length === 0) return;
    // PostgreSQL refuses an upsert touching one row twice: the last version of each record wins.
    await dialect.putExecutions(db, [...new Map(records.map((r) => [r.id, executionToRow(r)])).values()]);
  },
  get: async (id) => {
    const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && executionFromRow(row);
  },
  list: async (q) => {
    const [rows, total] = await Promise.all([
      filtered(db.selectFrom('executions').selectAll(), q).orderBy('started', 'desc').orderBy('requested', 'desc').orderBy('id', 'desc').offset(q.offset).limit(q.limit).execute(),
      filtered(db.selectFrom('executions'), q)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(executionFromRow), total: Number(total.n) };
  },
  summarize: async (f) => {
    const [notebooks, kernels] = await Promise.all([
      filtered(db.selectFrom('executions'), f)
        .select((eb) => [
          'user_name',
          'server',
          'notebook',
          eb.fn.countAll<number | string>().as('runs'),
          eb.fn.sum<number | string | null>(eb.case().when('status', '=', 'error').then(1).else(0).end()).as('errors'),
          eb.fn.sum<number | string | null>('cpu_seconds').as('cpu'),
          eb.fn.max<number | string | null>('peak_memory').as('peak'),
          eb.fn.max<number | string | null>('started').as('last'),
        ])
        .groupBy(['user_name', 'server', 'notebook'])
        .execute(),
      filtered(db.selectFrom('executions'), f)
        .select((eb) => ['user_name', 'server', 'kernel', eb.fn.countAll<number | string>().as('runs'), eb.fn.sum<number | string | null>('cpu_seconds').as('cpu')])
        .groupBy(['user_name', 'server', 'kernel'])
        .orderBy('user_name')
        .orderBy('server')
        .orderBy('kernel')
        .execute(),
    ]);
    // Sorted here: SQLite and PostgreSQL put NULL at opposite ends; executions without a notebook come last.
    const key = (r: { user_name: string; server: string; notebook: string | null }) => [r.user_name, r.server, r.notebook === null ? '\uffff' : `\u0000${r.notebook}`].join('\u0001');
    notebooks.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return {
      notebooks: notebooks.map((r) => ({
        user: r.user_name,
        server: r.server,
        notebook: r.notebook,
        runs: Number(r.runs),
        errors: Number(r.errors ?? 0),
        cpuSeconds: Number(r.cpu ?? 0),
        peakMemory: r.peak == null ? null : Number(r.peak),
        lastRun: r.last == null ? null : Number(r.last),
      })),
      kernels: kernels.map((r) => ({ user: r.user_name, server: r.server, kernelId: r.kernel, runs: Number(r.runs), cpuSeconds: Number(r.cpu ?? 0) })),
    };
  },
  edges: async (f) =>
    (
      await filtered(db.selectFrom('executions').selectAll(), f)
        .where((eb) => eb.or([eb('started', '<', f.since), eb('ended', 'is', null), eb('ended', '>', f.until)]))
        .orderBy('started')
        .orderBy('id')
        .execute()
    ).map(executionFromRow),
  samplePeak: async (k, from, to) => {
    const r = await db
      .selectFrom('usage_raw')
      .select((eb) => eb.fn.max<number | string | null>('memory').as('peak'))
      .where('series', '=', (eb) =>
        eb.selectFrom('usage_series').select('id').where('user_name', '=', k.user).where('server', '=', k.server).where('kernel', '=', k.kernelId),
      )
      .where('t', '>=', from)
      .where('t', '<=', to)
      .executeTakeFirst();
    return r?.peak == null ? null : Number(r.peak);
  },
  loseRunning: async () => {
    const r = await db.updateTable('executions').set({ status: 'lost' }).where('status', '=', 'running').executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
  prune: async (before) => {
    const r = await db.deleteFrom('executions').where('started', '<', before).where('status', '!=', 'running').executeTakeFirst();
    return Number(r.numDeletedRows);
  },
});
