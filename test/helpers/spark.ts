import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestHub } from './hub.js';

/** Where scripts/install-deps.sh --spark put pyspark (the hub's default spark.home). */
export const sparkHome = (): string => process.env['NBHUB_SPARK_HOME'] || join(process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'nbhub', 'spark');

/** The folder Spark's scripts call SPARK_HOME (bin/, jars/). */
export const sparkPackage = (): string => join(sparkHome(), 'pyspark');

export interface ClusterJson {
  name: string;
  state: string;
  owner: string;
  users: string[];
  workers: number;
  worker_cores: number;
  worker_memory: string;
  ui_url: string;
  master_url: string | null;
  failure: string | null;
}

/** Creates a cluster as `admin` and starts it; resolves once it is running (Spark's JVMs take seconds here). */
export const startCluster = async (
  hub: TestHub,
  admin: string,
  body: { name: string; workers?: number; worker_cores?: number; worker_memory?: string; owner?: string; users?: string[] },
): Promise<ClusterJson> => {
  const created = await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body: { kind: 'spark', ...body } });
  if (created.status !== 201) throw new Error(`creating cluster ${body.name}: ${created.status} ${await created.text()}`);
  const started = await hub.api(`/hub/api/clusters/${body.name}/start`, { method: 'POST', token: admin });
  if (started.status !== 202 && started.status !== 200) throw new Error(`starting cluster ${body.name}: ${started.status} ${await started.text()}`);
  return waitForCluster(hub, admin, body.name, 'running');
};

export const waitForCluster = async (hub: TestHub, token: string, name: string, state: string, ms = 180_000): Promise<ClusterJson> => {
  const deadline = Date.now() + ms;
  let last: ClusterJson | undefined;
  while (Date.now() < deadline) {
    const r = await hub.api(`/hub/api/clusters/${name}`, { token });
    last = (await r.json()) as ClusterJson;
    if (last.state === state) return last;
    if (last.state === 'failed' && state !== 'failed') throw new Error(`cluster ${name} failed: ${last.failure ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`cluster ${name} did not become ${state} (last: ${JSON.stringify(last)})\n${hub.output()}`);
};

/** Every live process carrying the cluster's marker (NBHUB_CLUSTER=<name>): its master, workers, drivers, executors. */
export const clusterProcesses = (name: string): number[] => {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`NBHUB_CLUSTER=${name}`)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
};
