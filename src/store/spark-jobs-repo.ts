import type { Kysely } from 'kysely';
import { FINAL_JOB_STATES, type JobState, type SparkJobRecord, type SparkJobRepo } from '../core/clusters.js';
import { jsonColumn } from './rows.js';
import type { Database, SparkJobsTable } from './schema.js';

const toRow = (j: SparkJobRecord): SparkJobsTable => ({
  id: j.id,
  cluster: j.cluster,
  user_name: j.user,
  resource: j.resource,
  main_class: j.mainClass,
  args: JSON.stringify(j.args),
  conf: JSON.stringify(j.conf),
  submission_id: j.submissionId,
  app_id: j.appId,
  state: j.state,
  message: j.message,
  submitted: j.submitted,
  ended: j.ended,
});

const fromRow = (r: SparkJobsTable): SparkJobRecord => ({
  id: r.id,
  cluster: r.cluster,
  user: r.user_name,
  resource: r.resource,
  mainClass: r.main_class,
  args: jsonColumn<string[]>(r.args, []),
  conf: jsonColumn<Record<string, string>>(r.conf, {}),
  submissionId: r.submission_id,
  appId: r.app_id,
  state: r.state as JobState,
  message: r.message,
  submitted: Number(r.submitted),
  ended: r.ended == null ? null : Number(r.ended),
});

export const createSparkJobsRepo = (db: Kysely<Database>): SparkJobRepo => ({
  put: async (j) => {
    const row = toRow(j);
    const { id: _id, cluster: _c, user_name: _u, resource: _r, main_class: _m, args: _a, conf: _f, submitted: _s, ...changed } = row;
    await db.insertInto('spark_jobs').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changed)).execute();
  },
  get: async (id) => {
    const r = await db.selectFrom('spark_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && fromRow(r);
  },
  list: async (q) => {
    let base = db.selectFrom('spark_jobs');
    if (q.cluster !== undefined) base = base.where('cluster', '=', q.cluster);
    if (q.user !== undefined) base = base.where('user_name', '=', q.user);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('submitted', 'desc').orderBy('id', 'desc').offset(q.offset).limit(q.limit).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(fromRow), total: Number(total.n) };
  },
  unfinished: async (limit) =>
    (
      await db
        .selectFrom('spark_jobs')
        .selectAll()
        .where('state', 'not in', [...FINAL_JOB_STATES])
        .orderBy('submitted')
        .limit(limit)
        .execute()
    ).map(fromRow),
});
