import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { RESOLUTION_MS, type UsageRepo, type UsageRow } from '../core/store.js';
import type { Database, UsageTable } from './schema.js';

const TABLE = { raw: 'usage_raw', '1m': 'usage_1m', '1h': 'usage_1h' } as const;
const CHUNK = 500;

const toRow = (r: UsageRow): UsageTable => ({ user_name: r.user, server: r.server, kernel: r.kernel, t: r.t, cpu: r.cpu, memory: r.memory });

/** One row per series and bucket: the highest counter and the peak memory (PostgreSQL refuses two in one upsert). */
const bucketed = (rows: readonly UsageRow[], size: number): UsageTable[] => {
  const out = new Map<string, UsageTable>();
  for (const r of rows) {
    const t = Math.floor(r.t / size) * size;
    const key = `${r.user}\u0000${r.server}\u0000${r.kernel}\u0000${t}`;
    const cur = out.get(key);
    if (!cur) out.set(key, { ...toRow(r), t });
    else {
      cur.cpu = Math.max(cur.cpu, r.cpu);
      cur.memory = Math.max(cur.memory, r.memory);
    }
  }
  return [...out.values()];
};

export const createUsageRepo = (db: Kysely<Database>): UsageRepo => ({
  write: async (rows) => {
    if (rows.length === 0) return;
    await db.transaction().execute(async (tx) => {
      const raw = bucketed(rows, 1);
      for (let i = 0; i < raw.length; i += CHUNK) {
        await tx.insertInto('usage_raw').values(raw.slice(i, i + CHUNK)).onConflict((oc) => oc.doNothing()).execute();
      }
      for (const res of ['1m', '1h'] as const) {
        const table = TABLE[res];
        const folded = bucketed(rows, RESOLUTION_MS[res]);
        for (let i = 0; i < folded.length; i += CHUNK) {
          await tx
            .insertInto(table)
            .values(folded.slice(i, i + CHUNK))
            .onConflict((oc) =>
              oc.columns(['user_name', 'server', 'kernel', 't']).doUpdateSet({
                cpu: sql<number>`case when excluded.cpu > ${sql.ref(`${table}.cpu`)} then excluded.cpu else ${sql.ref(`${table}.cpu`)} end`,
                memory: sql<number>`case when excluded.memory > ${sql.ref(`${table}.memory`)} then excluded.memory else ${sql.ref(`${table}.memory`)} end`,
              }),
            )
            .execute();
        }
      }
    });
  },
  noteNotebooks: async (rows, at) => {
    // PostgreSQL refuses an upsert that touches one row twice: each (series, notebook) once.
    const unique = [...new Map(rows.map((r) => [`${r.user}\u0000${r.server}\u0000${r.kernel}\u0000${r.notebook}`, r])).values()];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const values = unique.slice(i, i + CHUNK).map((r) => ({ user_name: r.user, server: r.server, kernel: r.kernel, notebook: r.notebook, last_seen: at }));
      await db
        .insertInto('kernel_notebooks')
        .values(values)
        .onConflict((oc) => oc.columns(['user_name', 'server', 'kernel', 'notebook']).doUpdateSet({ last_seen: at }))
        .execute();
    }
  },
  query: async (q) => {
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
    // Each series' last row before the range is its baseline, however old (a gap is not a restart); its
    // first row after the range tells how much of the last interval falls inside.
    const baselines = filtered(db.selectFrom(table).where('t', '<', q.from))
      .select(['user_name', 'server', 'kernel', (eb) => eb.fn.max('t').as('t')])
      .groupBy(['user_name', 'server', 'kernel']);
    const trailers = filtered(db.selectFrom(table).where('t', '>', q.to))
      .select(['user_name', 'server', 'kernel', (eb) => eb.fn.min('t').as('t')])
      .groupBy(['user_name', 'server', 'kernel']);
    const rows = await db
      .selectFrom(table)
      .selectAll(table)
      .where((eb) =>
        eb.or([
          eb.and([eb('t', '>=', q.from), eb('t', '<=', q.to)]),
          sql<boolean>`(user_name, server, kernel, t) in (${baselines})`,
          sql<boolean>`(user_name, server, kernel, t) in (${trailers})`,
        ]),
      )
      .$call((qb) => filtered(qb))
      .orderBy('user_name')
      .orderBy('server')
      .orderBy('kernel')
      .orderBy('t')
      .execute();
    return rows.map((r) => ({ user: r.user_name, server: r.server, kernel: r.kernel, t: Number(r.t), cpu: Number(r.cpu), memory: Number(r.memory) }));
  },
  notebooks: async (f) => {
    let query = db.selectFrom('kernel_notebooks').selectAll();
    if (f.user !== undefined) query = query.where('user_name', '=', f.user);
    if (f.server !== undefined) query = query.where('server', '=', f.server);
    const rows = await query.orderBy('notebook').execute();
    return rows.map((r) => ({ user: r.user_name, server: r.server, kernel: r.kernel, notebook: r.notebook }));
  },
  prune: async (before) => {
    for (const res of ['raw', '1m', '1h'] as const) await db.deleteFrom(TABLE[res]).where('t', '<', before[res]).execute();
  },
});
