import { homedir } from 'node:os';
import { join } from 'node:path';
import { profileSchema, type Config } from '../config/schema.js';
import { systemClock } from '../core/clock.js';
import { cryptoIds } from '../core/ids.js';
import type { LogFiles } from '../core/logs.js';
import type { ProcessRunner } from '../core/services.js';
import type { Store } from '../core/store.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AppLauncher } from '../core/apps.js';
import type { Spawner } from '../core/spawner.js';
import { podProfileLabel } from '../spawners/kubernetes/profiles.js';
import { FileLogFeed } from '../logs/feed.js';
import { LocalLogFiles } from '../logs/files.js';
import { FileServerLogs } from '../logs/server-logs.js';
import { FileServiceLogs } from '../logs/service-logs.js';
import { FileClusterLogs } from '../logs/cluster-logs.js';
import { LocalSpawner } from '../spawners/local/local-spawner.js';
import { detectJupyter, systemLookup } from '../spawners/local/jupyter-detect.js';
import { resolveProfile, type ResolvedProfile } from '../spawners/local/profiles.js';
import { LocalSparkSpawner } from '../spawners/local/spark-cluster.js';

/** The one place that picks concrete implementations (CONVENTIONS: hono's hono.ts only chooses). */
// Each driver is loaded only when chosen: the other would cost memory for nothing. The store is migrated here,
// once, by whichever command opens it (the hub, or a command beside it).
export const openStore = async (config: Readonly<Config>): Promise<Store> => {
  const store = config.database_url
    ? (await import('../store/postgres/postgres-store.js')).createPostgresStore(config.database_url)
    : (await import('../store/sqlite/sqlite-store.js')).createSqliteStore(join(config.data_dir, 'nbhub.sqlite'));
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
};

export const resolveProfiles = (config: Readonly<Config>): Map<string, ResolvedProfile | { name: string; error: string }> => {
  const detected = detectJupyter(systemLookup(config.spawner.jupyter_env));
  const entries: Array<[string, ReturnType<typeof resolveProfile>]> = Object.entries(config.profiles).map(([name, p]) => [name, resolveProfile(name, p, detected)]);
  if (!config.profiles['default']) entries.unshift(['default', resolveProfile('default', profileSchema.parse({}), detected)]);
  return new Map(entries);
};

/** Local processes, or (spawner.kind kubernetes) a pod and a claim per runtime. */
export const createSpawner = async (config: Readonly<Config>, profiles: ReturnType<typeof resolveProfiles>, hubId: string, logFiles?: LogFiles, log: Logger = silentLogger): Promise<Spawner & AppLauncher> =>
  config.spawner.kind === 'kubernetes'
    ? (await import('./compose/kubernetes.js')).createKubernetesSpawner({ config, hubId, logFiles, ids: cryptoIds, clock: systemClock, log })
    : new LocalSpawner({ dataDir: config.data_dir, profiles, graceSeconds: config.lifecycle.stop_grace_seconds, ids: cryptoIds, clock: systemClock, hubId, logFiles });

/** The profiles the console offers: on Kubernetes every configured one (the image brings Jupyter), else as detected here. */
export const profileChoices = (config: Readonly<Config>, profiles: ReturnType<typeof resolveProfiles>): Array<{ name: string; display_name: string; error?: string }> =>
  config.spawner.kind === 'kubernetes'
    ? [...profiles.keys()].map((name) => ({ name, display_name: podProfileLabel(config.profiles[name], name, config.kubernetes.image) }))
    : [...profiles.values()].map((p) => ('error' in p ? { name: p.name, display_name: p.name, error: p.error } : { name: p.name, display_name: p.displayName }));

/** The log files of starts, the feed that follows them (and the hub's own lines), and the API's readers (servers, services, clusters). */
export const createLogs = (config: Readonly<Config>, log: Logger) => {
  const feed = new FileLogFeed({ dataDir: config.data_dir, bytesPerFile: config.logs.bytes_per_file, pollMs: config.logs.poll_seconds * 1000, clock: systemClock, log });
  const files = new LocalLogFiles({
    dataDir: config.data_dir,
    clock: systemClock,
    startsKept: config.logs.starts_kept,
    bytesPerServer: config.logs.bytes_per_server,
    opened: (path) => feed.track(path),
  });
  const readerOptions = { dataDir: config.data_dir, bytesPerFile: config.logs.bytes_per_file, pollMs: config.logs.poll_seconds * 1000 };
  return { feed, files, reader: new FileServerLogs(readerOptions), serviceReader: new FileServiceLogs(readerOptions), clusterReader: new FileClusterLogs(readerOptions) };
};

/**
 * The Python a profile's kernels run: jupyter_client starts the python3 kernel with the server's own
 * interpreter, the one of the profile's environment (its bin first on PATH), else python3 from PATH.
 */
export const kernelPythonOf =
  (profiles: ReturnType<typeof resolveProfiles>) =>
  (name: string): string => {
    const p = profiles.get(name);
    return p && !('error' in p) && p.binDir ? join(p.binDir, 'python') : 'python3';
  };

/** Where Spark is (config spark.home, else where scripts/install-deps.sh --spark puts it). */
export const sparkHomeOf = (config: Readonly<Config>, env: NodeJS.ProcessEnv = process.env): string =>
  config.spark.home || join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'nbhub', 'spark');

/** Spark clusters as local processes (the only cluster spawner so far). */
export const createClusterSpawner = (config: Readonly<Config>, hubId: string, runner: ProcessRunner, logFiles: LogFiles) =>
  new LocalSparkSpawner({
    logFiles,
    sparkHome: sparkHomeOf(config),
    javaHome: config.spark.java_home,
    clustersDir: join(config.data_dir, 'clusters'),
    hubId,
    runner,
    graceMs: config.lifecycle.stop_grace_seconds * 1000,
  });
