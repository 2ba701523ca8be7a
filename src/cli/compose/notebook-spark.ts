import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/schema.js';
import type { ClusterDirectory } from '../../core/clusters.js';
import type { SparkCellCost } from '../../core/executions.js';
import type { Logger } from '../../core/logger.js';
import type { ServerDirectory } from '../../core/servers.js';
import type { RuntimeEnvironment } from '../../core/spawner.js';
import { clusterOption } from '../../notebook-spark/attach.js';
import { httpFetchJson, SparkRestCellCost } from '../../notebook-spark/cell-cost.js';
import { SparkRuntimeEnvironment } from '../../notebook-spark/runtime-env.js';

/** The kernel extension's folder (python/ of the package), from dist/cli/compose or src/cli/compose alike. */
export const extensionDir = (): string => fileURLToPath(new URL('../../../python', import.meta.url));

/** Runtimes attached to a Spark cluster (issue 19): their environment at each start. */
export const createNotebookSparkEnvironment = (d: {
  config: Readonly<Config>;
  clusters: Pick<ClusterDirectory, 'get'>;
  sparkHome: string;
  /** The Python of a profile's kernels. */
  pythonOf: (profile: string) => string;
}): RuntimeEnvironment =>
  new SparkRuntimeEnvironment({
    clusters: d.clusters,
    sparkHome: d.sparkHome,
    javaHome: d.config.spark.java_home,
    extensionDir: extensionDir(),
    dir: join(d.config.data_dir, 'spark-runtimes'),
    pythonOf: d.pythonOf,
  });

/** What each cell of an attached runtime cost on its cluster, for the execution recorder. */
export const createSparkCellCost = (d: { clusters: Pick<ClusterDirectory, 'get'>; servers: Pick<ServerDirectory, 'get'>; log: Logger }): SparkCellCost =>
  new SparkRestCellCost({
    clusterOf: (user, server) => {
      const options = d.servers.get(user, server)?.userOptions;
      let name: string | undefined;
      try {
        name = options && clusterOption(options);
      } catch {
        return undefined;
      }
      return name === undefined ? undefined : d.clusters.get(name);
    },
    fetchJson: httpFetchJson(5000),
    log: d.log,
  });
