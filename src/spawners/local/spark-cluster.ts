import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterHandle, ClusterLaunched, ClusterPoll, ClusterSpawner, ClusterSpec, SparkEndpoints } from '../../core/clusters.js';
import type { LogFiles } from '../../core/logs.js';
import type { ProcessRef, ProcessRunner, RunningProcess } from '../../core/services.js';

export interface LocalSparkOptions {
  /** The folder holding the pyspark package (config spark.home, resolved). */
  sparkHome: string;
  /** JAVA_HOME for Spark's processes; '' keeps the java on PATH. */
  javaHome: string;
  /** Where each cluster keeps its configuration, work directories and pid files: `{dir}/{name}/`. */
  clustersDir: string;
  /** Where each start's processes write their output (the logs module's layout: kept, rotated, shipped). */
  logFiles: Pick<LogFiles, 'clusterStart' | 'removeCluster'>;
  /** The hub's id, in the marker its agent finds the cluster's processes by. */
  hubId: string;
  runner: ProcessRunner;
  graceMs: number;
}

/** One Spark process the hub started: its pid and start time, its pid file and its output. */
interface SparkProcess extends ProcessRef {
  role: string;
  pidFile: string;
  logFile: string;
}

interface LocalSparkHandle extends ClusterHandle {
  kind: 'local-spark';
  name: string;
  processes: SparkProcess[];
}

const isHandle = (h: ClusterHandle): h is LocalSparkHandle => h.kind === 'local-spark' && Array.isArray(h['processes']);

/** `spark-defaults.conf` lines: `key value`, one per line. Values the hub writes never hold a newline. */
const defaults = (props: Record<string, string>): string =>
  Object.entries(props)
    .map(([k, v]) => `${k} ${v}`)
    .join('\n') + '\n';

/** The folder Spark's own scripts call SPARK_HOME: the pyspark package inside the install folder. */
export const sparkPackageDir = (sparkHome: string): string => join(sparkHome, 'pyspark');

/**
 * A Spark standalone cluster as local processes: one master and N workers, each a process group of its own
 * (ProcessRunner), all on 127.0.0.1 with ports chosen at start. Drivers and executors are the workers'
 * children, so stopping a worker's tree stops them too. Every process carries the cluster's marker
 * (NBHUB_CLUSTER), so the agent counts them to the cluster.
 */
export class LocalSparkSpawner implements ClusterSpawner {
  readonly kind = 'local-spark';
  private readonly exited = new Map<number, boolean>();

  constructor(private readonly o: LocalSparkOptions) {}

  dirOf(name: string): string {
    return join(this.o.clustersDir, name);
  }

  async start(spec: ClusterSpec, signal: AbortSignal): Promise<ClusterLaunched> {
    const bin = join(sparkPackageDir(this.o.sparkHome), 'bin', 'spark-class');
    if (!existsSync(bin)) throw new Error(`Spark is not installed: ${bin} is missing (run scripts/install-deps.sh --spark, or set spark.home)`);
    const dir = this.dirOf(spec.name);
    const conf = join(dir, 'conf');
    mkdirSync(conf, { recursive: true });
    const [port, restPort, uiPort] = [await this.o.runner.freePort(), await this.o.runner.freePort(), await this.o.runner.freePort()];
    const endpoints: SparkEndpoints = { master: `spark://127.0.0.1:${port}`, rest: `http://127.0.0.1:${restPort}`, ui: `http://127.0.0.1:${uiPort}` };
    writeFileSync(
      join(conf, 'spark-defaults.conf'),
      defaults({
        // The REST submission server has no authentication (CVE-2018-11770): on loopback, reached by the hub only.
        'spark.master.rest.enabled': 'true',
        'spark.master.rest.host': '127.0.0.1',
        'spark.master.rest.port': String(restPort),
        // Every UI (workers', applications') through the master's, under the hub's prefix.
        'spark.ui.reverseProxy': 'true',
        'spark.ui.reverseProxyUrl': spec.uiPrefix,
        // Finished drivers' and applications' folders are removed a day later, not kept forever.
        'spark.worker.cleanup.enabled': 'true',
        'spark.worker.cleanup.appDataTtl': '86400',
      }),
    );
    const env: Record<string, string> = {
      SPARK_HOME: sparkPackageDir(this.o.sparkHome),
      SPARK_CONF_DIR: conf,
      SPARK_LOG_DIR: join(dir, 'logs'),
      SPARK_PID_DIR: join(dir, 'run'),
      // Every listener of the cluster (RPC, UIs, block managers, drivers' UIs) on loopback.
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_LOCAL_HOSTNAME: '127.0.0.1',
      SPARK_NO_DAEMONIZE: '1',
      // Python workers of executors import pyspark from the same install.
      PYTHONPATH: this.o.sparkHome,
      NBHUB_CLUSTER: spec.name,
      NBHUB_HUB: this.o.hubId,
      ...(this.o.javaHome ? { JAVA_HOME: this.o.javaHome } : {}),
    };
    const processes: SparkProcess[] = [];
    // A new start of the cluster's logs: one file per process, in the order they are launched.
    const logFiles = this.o.logFiles.clusterStart(spec.name, ['master', ...Array.from({ length: spec.workers }, (_, i) => `worker-${i + 1}`)]);
    const launch = async (role: string, args: string[]) => {
      if (signal.aborted) throw new Error('start cancelled');
      const logFile = logFiles[role];
      if (logFile === undefined) throw new Error(`no log file for the cluster's ${role}`);
      const pidFile = join(dir, 'run', `${role}.pid`);
      const p: RunningProcess = await this.o.runner.run({ command: [bin, ...args], env, logFile, pidFile });
      void p.exited.then(() => this.exited.set(p.pid, true));
      processes.push({ role, pid: p.pid, startTime: p.startTime, pidFile, logFile });
    };
    const handle: LocalSparkHandle = { v: 1, kind: 'local-spark', name: spec.name, processes };
    try {
      await launch('master', ['org.apache.spark.deploy.master.Master', '--host', '127.0.0.1', '--port', String(port), '--webui-port', String(uiPort)]);
      for (let i = 1; i <= spec.workers; i++) {
        const work = join(dir, 'work', `worker-${i}`);
        mkdirSync(work, { recursive: true });
        await launch(`worker-${i}`, [
          'org.apache.spark.deploy.worker.Worker',
          endpoints.master,
          '--host',
          '127.0.0.1',
          '--cores',
          String(spec.workerCores),
          '--memory',
          `${spec.workerMemoryMb}m`,
          '--webui-port',
          String(await this.o.runner.freePort()),
          '--work-dir',
          work,
        ]);
      }
    } catch (err) {
      await this.stop(handle, { graceful: false });
      throw err;
    }
    return { handle, endpoints };
  }

  async poll(handle: ClusterHandle): Promise<ClusterPoll> {
    if (!isHandle(handle)) return { status: 'exited', reason: `not a local Spark cluster (${handle.kind})` };
    for (const p of handle.processes) {
      if (this.exited.get(p.pid) || !this.o.runner.alive(p)) {
        const tail = this.tailOf(p.logFile, 5);
        return { status: 'exited', reason: `its ${p.role} (pid ${p.pid}) ended${tail ? `; its last lines:\n${tail}` : ''}` };
      }
    }
    return { status: 'running' };
  }

  async stop(handle: ClusterHandle, options: { graceful: boolean }): Promise<void> {
    if (!isHandle(handle)) return;
    const grace = options.graceful ? this.o.graceMs : 0;
    // Workers first (their drivers and executors with them), then the master, so none is relaunched meanwhile.
    const order = [...handle.processes].sort((a, b) => (a.role === 'master' ? 1 : 0) - (b.role === 'master' ? 1 : 0));
    await Promise.all(order.filter((p) => p.role !== 'master').map((p) => this.o.runner.stop(p, p.pidFile, grace)));
    await Promise.all(order.filter((p) => p.role === 'master').map((p) => this.o.runner.stop(p, p.pidFile, grace)));
  }

  async logTail(handle: ClusterHandle, lines: number): Promise<string> {
    if (!isHandle(handle)) return '';
    return handle.processes
      .map((p) => {
        const t = this.tailOf(p.logFile, lines);
        return t ? `[${p.role}]\n${t}` : '';
      })
      .filter(Boolean)
      .join('\n');
  }

  async removeFiles(name: string): Promise<void> {
    rmSync(this.dirOf(name), { recursive: true, force: true });
    this.o.logFiles.removeCluster(name);
  }

  /** The last lines of a file, from its last 64 KiB (Spark's logs grow long). */
  private tailOf(file: string, lines: number): string {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const size = fstatSync(fd).size;
      const len = Math.min(size, 65_536);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8').trimEnd().split('\n').slice(len < size ? 1 : 0).slice(-lines).join('\n');
    } catch {
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

}
