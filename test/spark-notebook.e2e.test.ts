import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Kernel, Session } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endedExecutions, listExecutions, type ExecutionItem } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';
import { clusterProcesses, startCluster, waitForCluster } from './helpers/spark.js';

type SparkExecution = ExecutionItem & { spark_cpu_seconds: number | null };

/** Runs code as JupyterLab does; returns the request's msg_id (the cell's job group is nbhub-<msg_id>) and what it printed. */
const runCell = async (kernel: Kernel.IKernelConnection, code: string): Promise<{ msgId: string; status: string; output: string }> => {
  let output = '';
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => {
    const c = msg.content as { name?: string; text?: string; ename?: string; evalue?: string };
    // stdout only: the JVM's own lines (log4j) come on stderr.
    if (msg.header.msg_type === 'stream' && c.name === 'stdout' && c.text) output += c.text;
    if (msg.header.msg_type === 'error') output += `${c.ename}: ${c.evalue}`;
  };
  const reply = await future.done;
  return { msgId: future.msg.header.msg_id, status: String((reply.content as { status: string }).status), output };
};

const getJson = async (url: string): Promise<unknown> => {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
};

interface Job {
  jobId: number;
  jobGroup?: string;
  status: string;
  stageIds: number[];
}
interface Stage {
  status: string;
  executorCpuTime: number;
}

/**
 * What Spark's own REST API says the jobs of `group` cost: executorCpuTime (ns) of every attempt of their
 * stages, read once the jobs and stages are final. Read by the test itself, from the master's UI.
 */
const sparkSays = async (ui: string, app: string, group: string): Promise<{ jobs: number[]; cpuSeconds: number }> => {
  const base = `${ui}/proxy/${app}/api/v1/applications/${app}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const jobs = ((await getJson(`${base}/jobs`)) as Job[]).filter((j) => j.jobGroup === group);
    const stageIds = [...new Set(jobs.flatMap((j) => j.stageIds))];
    const stages = (await Promise.all(stageIds.map(async (id) => (await getJson(`${base}/stages/${id}`)) as Stage[]))).flat();
    const final = jobs.length > 0 && jobs.every((j) => j.status === 'SUCCEEDED') && stages.every((s) => ['COMPLETE', 'SKIPPED'].includes(s.status));
    if (final) return { jobs: jobs.map((j) => j.jobId), cpuSeconds: stages.reduce((sum, s) => sum + s.executorCpuTime, 0) / 1e9 };
    if (Date.now() > deadline) throw new Error(`jobs of ${group} not final: ${JSON.stringify(jobs)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
};

// A DataFrame job that burns CPU in the executors' JVMs (the figure Spark reports as executorCpuTime).
const burn = (rows: number) => `spark.range(0, ${rows}, numPartitions=4).selectExpr("sum(hash(id, id * 3, cast(id as string)))").collect()[0][0]`;

/** Spark 4 from PyPI: a real cluster started through the API, a JupyterLab runtime attached to it, cells run through the proxy. */
describe('a notebook on a Spark cluster, each cell charged its Spark CPU', () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  let m: ReturnType<typeof managers> | undefined;
  let session: Session.ISessionConnection | undefined;
  const NAME = 'nb-e2e';
  const IDLE = 'nb-idle';
  let ui = '';

  beforeAll(async () => {
    // Info level: the hub's account of the cluster's start is in a failure's message.
    hub = await startTestHub({ env: { NBHUB_LOG_LEVEL: 'info' } });
    admin = hub.addUser('root', { admin: true });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 1, worker_memory: '1g', owner: 'alice' });
    // The master's UI is the hub's to reach (kept on loopback); the test finds it where the hub keeps it.
    const db = new Database(join(hub.dataDir, 'nbhub.sqlite'), { readonly: true });
    try {
      ui = (JSON.parse((db.prepare('select endpoints from clusters where name = ?').get(NAME) as { endpoints: string }).endpoints) as { ui: string }).ui;
    } finally {
      db.close();
    }
  }, 240_000);

  afterAll(async () => {
    if (session) await session.shutdown().catch(() => undefined);
    m?.dispose();
    await hub?.api('/hub/api/users/alice/server', { method: 'DELETE', token: alice }).catch(() => undefined);
    // Bounded: a stop that hangs must not keep Spark's JVMs running after the test.
    const stop = hub?.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: admin }).catch(() => undefined);
    await Promise.race([stop, new Promise((r) => setTimeout(r, 60_000))]);
    const left = clusterProcesses(NAME);
    await hub?.dispose();
    for (const pid of clusterProcesses(NAME)) process.kill(pid, 'SIGKILL');
    expect(left).toEqual([]);
  }, 180_000);

  it('refuses a start on an unknown cluster (400), on one the owner may not use (403), on one not running (409), and starts nothing', async () => {
    const created = await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body: { name: IDLE, kind: 'spark', workers: 1, owner: 'alice' } });
    expect(created.status).toBe(201);
    const start = (user: string, token: string, server: string, cluster: unknown) =>
      hub.api(`/hub/api/users/${user}/servers/${server}`, { method: 'POST', token, body: { spark_cluster: cluster } });
    const cases: Array<[Response, number, RegExp]> = [
      [await start('alice', alice, 'a1', 'nope'), 400, /No such Spark cluster: nope/],
      [await start('bob', bob, 'b1', NAME), 403, /bob may not use the Spark cluster nb-e2e/],
      [await start('alice', alice, 'a2', IDLE), 409, /nb-idle is stopped, not running/],
      [await start('alice', alice, 'a3', 7), 400, /spark_cluster/],
    ];
    for (const [r, status, message] of cases) {
      expect(r.status).toBe(status);
      expect(((await r.json()) as { message: string }).message).toMatch(message);
    }
    for (const [user, token] of [['alice', alice], ['bob', bob]] as const) {
      const u = (await (await hub.api(`/hub/api/users/${user}`, { token })).json()) as { servers: Record<string, unknown> };
      expect(Object.keys(u.servers)).toEqual([]);
    }
  });

  it("charges a cell the executor CPU Spark reports for its own jobs, not the next cell's", { timeout: 480_000 }, async () => {
    const r = await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice, body: { spark_cluster: NAME } });
    expect([201, 202], await r.clone().text()).toContain(r.status);
    await expect
      .poll(async () => ((await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { servers: Record<string, { ready: boolean }> }).servers['']?.ready, { timeout: 120_000, interval: 500 })
      .toBe(true);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'spark.ipynb', type: 'notebook', name: 'spark.ipynb', kernel: { name: 'python3' } });
    const kernel = session.kernel!;

    // Cell 1: the session on the cluster (nothing but getOrCreate: the runtime's settings) and a CPU-heavy job.
    const one = await runCell(kernel, ['from pyspark.sql import SparkSession', 'spark = SparkSession.builder.getOrCreate()', "print('app', spark.sparkContext.applicationId)", "print('master', spark.sparkContext.master)", `print(${burn(20_000_000)})`].join('\n'));
    expect(one.status, one.output).toBe('ok');
    const said = (key: string) => one.output.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1);
    const app = said('app');
    const master = said('master');
    expect(app, one.output).toMatch(/^app-/);
    expect(master).toMatch(/^spark:\/\/127\.0\.0\.1:\d+$/);
    // Read now, before cell 2 runs: what Spark itself reports for the jobs of cell 1's group.
    const spark1 = await sparkSays(ui, app!, `nbhub-${one.msgId}`);

    // Cell 2: another job, as heavy; cell 3: no Spark at all.
    const two = await runCell(kernel, `print(${burn(12_000_000).replace('sum(hash', 'max(hash')})`);
    expect(two.status, two.output).toBe('ok');
    const spark2 = await sparkSays(ui, app!, `nbhub-${two.msgId}`);
    const three = await runCell(kernel, 'x = 6 * 7');
    expect(three.status).toBe('ok');
    expect(spark2.jobs.some((j) => spark1.jobs.includes(j))).toBe(false);

    await endedExecutions(hub, 'user=alice', alice, 3);
    let items: SparkExecution[] = [];
    const charged = async () => {
      items = (await listExecutions(hub, 'user=alice', alice)).items as SparkExecution[];
      return items.filter((e) => e.spark_cpu_seconds !== null).length;
    };
    const deadline = Date.now() + 60_000;
    while ((await charged()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const told = () => items.map((e) => `${e.code?.split('\n').pop()} -> ${e.spark_cpu_seconds}`).join('\n') + '\n' + hub.output().split('\n').filter((l) => /Spark|spark/.test(l)).join('\n');
    expect(items.filter((e) => e.spark_cpu_seconds !== null).length, told()).toBe(2);
    const byCode = (part: string) => items.find((e) => e.code?.includes(part));
    const cell1 = byCode('getOrCreate');
    const cell2 = byCode('max(hash');
    const cell3 = byCode('x = 6 * 7');
    console.log(`cell 1: hub ${cell1?.spark_cpu_seconds} s, Spark ${spark1.cpuSeconds} s (jobs ${spark1.jobs}); cell 2: hub ${cell2?.spark_cpu_seconds} s, Spark ${spark2.cpuSeconds} s (jobs ${spark2.jobs})`);
    expect(spark1.cpuSeconds).toBeGreaterThan(0.5);
    expect(Math.abs((cell1?.spark_cpu_seconds ?? 0) - spark1.cpuSeconds) / spark1.cpuSeconds).toBeLessThan(0.1);
    expect(Math.abs((cell2?.spark_cpu_seconds ?? 0) - spark2.cpuSeconds) / spark2.cpuSeconds).toBeLessThan(0.1);
    // Cell 2 weighs enough that its jobs in cell 1's figure would break the 10 %.
    expect(spark2.cpuSeconds / spark1.cpuSeconds).toBeGreaterThan(0.2);
    expect(cell3?.spark_cpu_seconds).toBeNull();
    // The kernel's own CPU stays apart from the cluster's.
    expect(cell1?.cpu_seconds).not.toBeNull();
    await waitForCluster(hub, alice, NAME, 'running', 1000);
  });
});
