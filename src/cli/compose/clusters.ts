import { hostname } from 'node:os';
import { ClusterManager } from '../../clusters/manager.js';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { ClusterSpawner } from '../../core/clusters.js';
import type { AuditTrail } from '../../core/audit.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store.js';

/** The Spark clusters' manager: their records in the store, their processes through the cluster spawner. */
export const createClusters = (d: { config: Readonly<Config>; store: Store; spawner: ClusterSpawner; clock: Clock; log: Logger; auditTrail?: AuditTrail }): ClusterManager =>
  new ClusterManager({
    repo: d.store.clusters,
    spawner: d.spawner,
    userExists: async (name) => (await d.store.users.get(name)) !== undefined,
    clock: d.clock,
    log: d.log,
    auditTrail: d.auditTrail,
    startTimeoutMs: d.config.spark.start_timeout_seconds * 1000,
    pollMs: d.config.lifecycle.poll_seconds * 1000,
    host: hostname(),
  });
