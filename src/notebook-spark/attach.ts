import type { ClusterRecord } from '../core/clusters.js';
import { badRequest, conflict, forbidden } from '../core/errors.js';

/** The user option (JupyterHub's start body) that attaches a runtime to a Spark cluster. */
export const SPARK_CLUSTER_OPTION = 'spark_cluster';

/** The cluster a start's user options name, or undefined; anything but a non-empty string is refused (400). */
export const clusterOption = (userOptions: Record<string, unknown>): string | undefined => {
  const v = userOptions[SPARK_CLUSTER_OPTION];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw badRequest(`user_options.${SPARK_CLUSTER_OPTION} must be a cluster's name (got ${JSON.stringify(v)})`);
  return v;
};

/**
 * Whether a runtime may start attached to cluster `name` (pure): it exists (400), its owner may use it (403),
 * and it runs (409, naming its state), so nothing starts that could not reach it.
 */
export const checkAttach = (name: string, cluster: ClusterRecord | undefined, mayUse: (c: ClusterRecord) => boolean, owner: string): ClusterRecord => {
  if (!cluster) throw badRequest(`No such Spark cluster: ${name} (user_options.${SPARK_CLUSTER_OPTION})`);
  if (!mayUse(cluster)) throw forbidden(`${owner} may not use the Spark cluster ${name}`);
  if (cluster.state !== 'running' || cluster.endpoints === null) {
    throw conflict(`The Spark cluster ${name} is ${cluster.state}, not running: start it first`);
  }
  return cluster;
};
