import { componentKey, type ClusterComponent } from '../core/cluster-usage.js';
import { environValue } from '../procfs/proc.js';

const MASTER = 'org.apache.spark.deploy.master.Master';
const WORKER = 'org.apache.spark.deploy.worker.Worker';
const EXECUTOR = 'org.apache.spark.executor.CoarseGrainedExecutorBackend';
const DRIVER = 'org.apache.spark.deploy.worker.DriverWrapper';
const CLASSES = new Set([MASTER, WORKER, EXECUTOR, DRIVER]);

/** A worker runs a cluster-mode driver in `{work dir}/driver-<time>-<seq>/`, named on its command line. */
const DRIVER_DIR = /(?:^|\/)(driver-\d+-\d+)(?:\/|$)/;
/** LocalSparkSpawner gives worker n the work dir `…/worker-<n>`. */
const WORKER_DIR = /(?:^|\/)worker-(\d+)\/?$/;

const optionOf = (argv: readonly string[], from: number, names: readonly string[]): string | undefined => {
  for (let i = from; i < argv.length - 1; i++) if (names.includes(argv[i] as string)) return argv[i + 1];
  return undefined;
};

/**
 * Which part of a Spark standalone cluster a process is, from its command line (pure): the first of Spark's
 * entry classes it names (`spark-class` and its launcher name the class too, before they exec it), so user
 * arguments after a driver's class never count. Null for anything else (a Python worker, a shell): such a
 * process counts to the component above it in the tree. `environ` is read only for an application's parts,
 * whose user is their SPARK_USER (the driver's, passed to its executors by Spark).
 */
export const sparkComponentOf = (argv: readonly string[], environ: () => string | undefined, pid: number): ClusterComponent | null => {
  const at = argv.findIndex((a) => CLASSES.has(a));
  if (at < 0) return null;
  const user = () => {
    const env = environ();
    return (env === undefined ? null : environValue(env, 'SPARK_USER')) ?? '';
  };
  switch (argv[at] as string) {
    case MASTER:
      return { kind: 'master' };
    case WORKER: {
      const dir = optionOf(argv, at + 1, ['--work-dir', '-d']);
      const n = dir === undefined ? undefined : WORKER_DIR.exec(dir)?.[1];
      // A worker not started by the hub's spawner is told apart by its pid (it is a new series if it restarts).
      return { kind: 'worker', worker: n ?? `pid${pid}` };
    }
    case EXECUTOR: {
      const app = optionOf(argv, at + 1, ['--app-id']);
      return { kind: 'executors', application: app ?? `unknown-pid${pid}`, user: user() };
    }
    default: {
      const dir = argv.slice(at + 1).map((a) => DRIVER_DIR.exec(a)?.[1]).find((d) => d !== undefined);
      return { kind: 'driver', driver: dir ?? `unknown-pid${pid}`, user: user() };
    }
  }
};

/** The series key (core/cluster-usage.ts) of a cluster's process, or null when it counts to the one above it. */
export const sparkComponentKey = (argv: readonly string[], environ: () => string | undefined, pid: number): string | null => {
  const c = sparkComponentOf(argv, environ, pid);
  return c === null ? null : componentKey(c);
};
