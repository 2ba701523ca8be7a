import { join } from 'node:path';
import type { ClusterRecord, SparkEndpoints } from '../core/clusters.js';
import type { RuntimeEnv } from '../core/spawner.js';

/** The kernel extension's module (python/nbhub_spark), loaded into each IPython kernel of an attached runtime. */
export const EXTENSION_MODULE = 'nbhub_spark';

export interface AttachedRuntime {
  user: string;
  server: string;
  cluster: Pick<ClusterRecord, 'name' | 'workers' | 'workerCores' | 'workerMemoryMb'>;
  endpoints: SparkEndpoints;
  /** The folder holding the pyspark package (config spark.home, resolved). */
  sparkHome: string;
  /** JAVA_HOME for the driver (config spark.java_home); '' keeps the java on PATH. */
  javaHome: string;
  /** The folder holding the extension's package (the repository's python/). */
  extensionDir: string;
  /** This runtime's own folder for Spark's configuration and its kernel spec. */
  runtimeDir: string;
  /** The Python of the runtime's kernels (executors run the same one). */
  python: string;
}

/**
 * A driver's defaults for a notebook on the cluster (spark-defaults.conf). Half the cluster's cores at most,
 * so one notebook leaves room to others (and to a driver of a submitted job); executors no bigger than a
 * worker offers, or they would never start. A notebook's own settings (SparkSession.builder.config) win.
 */
export const notebookSparkDefaults = (r: AttachedRuntime): Record<string, string> => ({
  'spark.master': r.endpoints.master,
  'spark.app.name': `nbhub ${r.user}/${r.server}`,
  // The driver (in the kernel) listens on loopback only, as the cluster does.
  'spark.driver.host': '127.0.0.1',
  'spark.driver.bindAddress': '127.0.0.1',
  // The application's UI through the master's, under the hub's prefix of the cluster (behind the login).
  'spark.ui.reverseProxy': 'true',
  'spark.ui.reverseProxyUrl': `/clusters/${r.cluster.name}`,
  'spark.cores.max': String(Math.max(1, Math.floor((r.cluster.workers * r.cluster.workerCores) / 2))),
  'spark.executor.memory': `${Math.min(1024, r.cluster.workerMemoryMb)}m`,
});

/**
 * The python3 kernel spec of an attached runtime: IPython's own, plus the extension, through
 * `extra_extensions` (added to whatever `extensions` the user's profile lists, never replacing them).
 * "python" is replaced by the Jupyter server's own interpreter (jupyter_client), as the built-in spec is.
 */
export const kernelSpec = () => ({
  argv: ['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}', `--IPKernelApp.extra_extensions=${EXTENSION_MODULE}`],
  display_name: 'Python 3 (ipykernel)',
  language: 'python',
  metadata: { debugger: true },
});

const conf = (props: Record<string, string>): string =>
  Object.entries(props)
    .map(([k, v]) => `${k} ${v}`)
    .join('\n') + '\n';

/** What an attached runtime gets (pure): its environment, and the files it reads (Spark's defaults, the kernel spec). */
export const attachedRuntime = (r: AttachedRuntime): { env: RuntimeEnv; files: Array<{ path: string; content: string }> } => {
  const confDir = join(r.runtimeDir, 'conf');
  const jupyterPath = join(r.runtimeDir, 'jupyter');
  return {
    env: {
      set: {
        SPARK_HOME: join(r.sparkHome, 'pyspark'),
        SPARK_CONF_DIR: confDir,
        SPARK_LOCAL_IP: '127.0.0.1',
        SPARK_USER: r.user,
        // The same interpreter on both sides: PySpark refuses a driver and executors of different Pythons.
        PYSPARK_PYTHON: r.python,
        PYSPARK_DRIVER_PYTHON: r.python,
        NBHUB_SPARK_CLUSTER: r.cluster.name,
        ...(r.javaHome ? { JAVA_HOME: r.javaHome } : {}),
      },
      prepend: {
        PYTHONPATH: [r.sparkHome, r.extensionDir],
        // A python3 kernel spec of its own comes first (JUPYTER_PATH precedes every other data folder).
        JUPYTER_PATH: [jupyterPath],
      },
    },
    files: [
      { path: join(confDir, 'spark-defaults.conf'), content: conf(notebookSparkDefaults(r)) },
      { path: join(jupyterPath, 'kernels', 'python3', 'kernel.json'), content: JSON.stringify(kernelSpec(), null, 1) + '\n' },
    ],
  };
};
