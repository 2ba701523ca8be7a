import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { ClusterDirectory, SparkJobRepo } from '../../core/clusters.js';
import type { IdGenerator } from '../../core/ids.js';
import type { AuditTrail } from '../../core/audit.js';
import type { Logger } from '../../core/logger.js';
import type { ObjectStore } from '../../core/objects.js';
import { join } from 'node:path';
import type { ProcessRunner } from '../../core/services.js';
import { LocalClientDrivers } from '../../jobs/client-driver.js';
import { HttpSparkMaster } from '../../jobs/master.js';
import { SparkJobService } from '../../jobs/service.js';
import { S3ObjectStore } from '../../objects/s3-store.js';

/** Refreshing unfinished jobs every 2 s: the state a user sees lags the master's by at most that. */
const JOB_POLL_MS = 2_000;
/** Each of the driver's streams shown on a look: stdout's and stderr's last 32 KB. */
const DRIVER_LOG_BYTES = 32 * 1024;
/** The master answers on loopback or the cluster's network: a call that takes longer has gone wrong. */
const MASTER_TIMEOUT_MS = 10_000;

/** The object store of config object_store.*, or null when no endpoint is set. */
export const createObjectStore = (config: Config, clock: Clock): ObjectStore | null => {
  const o = config.object_store;
  if (o.endpoint === '') return null;
  return new S3ObjectStore({ endpoint: o.endpoint, accessKey: o.access_key, secretKey: o.secret_key, region: o.region, clock });
};

export const createSparkJobs = (d: { config: Config; clusters: ClusterDirectory; repo: SparkJobRepo; runner: ProcessRunner; sparkHome: string; clock: Clock; ids: IdGenerator; log: Logger; auditTrail?: AuditTrail }) => {
  const service = new SparkJobService({
    clusters: d.clusters,
    repo: d.repo,
    objects: createObjectStore(d.config, d.clock),
    master: new HttpSparkMaster({ timeoutMs: MASTER_TIMEOUT_MS }),
    // Python files in client mode: their drivers as the hub's processes, files in data_dir/spark-jobs/{id}/.
    drivers: new LocalClientDrivers({
      runner: d.runner,
      sparkPackage: join(d.sparkHome, 'pyspark'),
      sparkHome: d.sparkHome,
      javaHome: d.config.spark.java_home,
      dir: join(d.config.data_dir, 'spark-jobs'),
      graceMs: d.config.lifecycle.stop_grace_seconds * 1000,
    }),
    clock: d.clock,
    ids: d.ids,
    log: d.log,
    auditTrail: d.auditTrail,
    presignSeconds: d.config.object_store.presign_seconds,
    pollMs: JOB_POLL_MS,
    logBytes: DRIVER_LOG_BYTES,
  });
  return { jobs: service, service: { start: async () => service.start(), stop: () => service.stop() } };
};
