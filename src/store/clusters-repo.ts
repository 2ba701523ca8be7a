import type { Kysely } from 'kysely';
import type { ClusterHandle, ClusterKind, ClusterRecord, ClusterRepo, ClusterState, SparkEndpoints } from '../core/clusters.js';
import { jsonColumn } from './rows.js';
import type { ClustersTable, Database } from './schema.js';

const num = (v: number | string | null): number | null => (v == null ? null : Number(v));

const toRow = (c: ClusterRecord): ClustersTable => ({
  name: c.name,
  kind: c.kind,
  owner: c.owner,
  users: JSON.stringify(c.users),
  workers: c.workers,
  worker_cores: c.workerCores,
  worker_memory_mb: c.workerMemoryMb,
  desired: c.desired,
  state: c.state,
  handle: c.handle ? JSON.stringify(c.handle) : null,
  endpoints: c.endpoints ? JSON.stringify(c.endpoints) : null,
  failure: c.failure,
  created: c.created,
  started: c.started,
  stopped: c.stopped,
});

const fromRow = (r: ClustersTable): ClusterRecord => ({
  name: r.name,
  kind: r.kind as ClusterKind,
  owner: r.owner,
  users: jsonColumn<string[]>(r.users, []),
  workers: Number(r.workers),
  workerCores: Number(r.worker_cores),
  workerMemoryMb: Number(r.worker_memory_mb),
  desired: r.desired === 'running' ? 'running' : 'stopped',
  state: r.state as ClusterState,
  handle: jsonColumn<ClusterHandle | null>(r.handle, null),
  endpoints: jsonColumn<SparkEndpoints | null>(r.endpoints, null),
  failure: r.failure,
  created: Number(r.created),
  started: num(r.started),
  stopped: num(r.stopped),
});

export const createClustersRepo = (db: Kysely<Database>): ClusterRepo => ({
  list: async () => (await db.selectFrom('clusters').selectAll().orderBy('name').execute()).map(fromRow),
  get: async (name) => {
    const r = await db.selectFrom('clusters').selectAll().where('name', '=', name).executeTakeFirst();
    return r && fromRow(r);
  },
  create: async (c) => {
    const r = await db.insertInto('clusters').values(toRow(c)).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  put: async (c) => {
    const { name, ...rest } = toRow(c);
    const r = await db.updateTable('clusters').set(rest).where('name', '=', name).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
  delete: async (name) => Number((await db.deleteFrom('clusters').where('name', '=', name).executeTakeFirst()).numDeletedRows) > 0,
});
