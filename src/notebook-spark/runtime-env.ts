import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import type { ClusterDirectory } from '../core/clusters.js';
import type { RuntimeEnv, RuntimeEnvironment, RuntimeSpec } from '../core/spawner.js';
import { clusterOption } from './attach.js';
import { attachedRuntime } from './spark-defaults.js';

export interface SparkRuntimeEnvironmentOptions {
  clusters: Pick<ClusterDirectory, 'get'>;
  sparkHome: string;
  javaHome: string;
  extensionDir: string;
  /** Each attached runtime's folder is `{dir}/{user}/{server or _default}`, written again at each start. */
  dir: string;
  /** The Python of a profile's kernels. */
  pythonOf: (profile: string) => string;
}

/**
 * The environment of a runtime started with `spark_cluster` (issue 19): the cluster's master, Spark from the
 * hub's install, and the kernel extension that tags each cell's jobs. The API checked the cluster when the
 * start was asked; one stopped since fails the start with a message naming it.
 */
export class SparkRuntimeEnvironment implements RuntimeEnvironment {
  constructor(private readonly o: SparkRuntimeEnvironmentOptions) {}

  async forRuntime(r: Pick<RuntimeSpec, 'user' | 'server' | 'profile' | 'userOptions'>): Promise<RuntimeEnv | undefined> {
    const name = clusterOption(r.userOptions);
    if (name === undefined) return undefined;
    const cluster = this.o.clusters.get(name);
    if (!cluster) throw new Error(`The Spark cluster ${name} (user_options.spark_cluster) does not exist any more`);
    if (cluster.state !== 'running' || !cluster.endpoints) throw new Error(`The Spark cluster ${name} is ${cluster.state}, not running: start it, then this server`);
    const root = resolve(this.o.dir);
    const runtimeDir = resolve(root, r.user, r.server === '' ? '_default' : r.server);
    // Names are validated at the API edge; this guards the filesystem on its own anyway.
    if (!runtimeDir.startsWith(root + sep)) throw new Error(`runtime folder outside ${root}: ${runtimeDir}`);
    const { env, files } = attachedRuntime({
      user: r.user,
      server: r.server,
      cluster,
      endpoints: cluster.endpoints,
      sparkHome: this.o.sparkHome,
      javaHome: this.o.javaHome,
      extensionDir: this.o.extensionDir,
      runtimeDir,
      python: this.o.pythonOf(r.profile),
    });
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content);
    }
    return env;
  }
}
