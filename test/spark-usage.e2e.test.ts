import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAndWait, startTestHub, type TestHub } from './helpers/hub.js';
import { clusterProcesses, sparkHome, sparkPackage, startCluster, waitForCluster, type ClusterJson } from './helpers/spark.js';

const BUSY = fileURLToPath(new URL('./helpers/spark-busy.py', import.meta.url));
const NAME = 'metered';

interface Answer {
  series: Array<{ labels: Record<string, string>; points: Array<{ t: number; cpu: number; memory: number }> }>;
  totals: Array<{ labels: Record<string, string>; cpu_seconds: number; peak_memory: number }>;
}

/** The metric lines of one family for this cluster, as `labels value` text (what a scrape shows). */
const linesOf = (text: string, family: string): string[] => text.split('\n').filter((l) => l.startsWith(`${family}{`) && l.includes(`cluster="${NAME}"`));

/**
 * What a cluster consumes (issue 19, item 5), with a real Spark 4 (scripts/install-deps.sh --spark): a cluster
 * started through the API, a PySpark application submitted to its master by spark-submit as alice, then the
 * cluster's usage API and /hub/metrics show its master, workers and that application's executors.
 */
describe.skipIf(!existsSync(join(sparkPackage(), 'bin', 'spark-submit')))('what a Spark cluster consumes', () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  let cluster: ClusterJson;
  let app: ChildProcess | undefined;
  let appOutput = '';
  let appId = '';
  /** Asks the application to end (by the file it polls): after the checks, which need it running. */
  let stopApp = (): void => undefined;

  beforeAll(async () => {
    hub = await startTestHub({ config: 'monitoring:\n  interval_seconds: 1\n' });
    admin = hub.addUser('root', { admin: true });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    // Two workers of 2 cores: the application gets 2 executors of 1 core (one per worker, as Spark spreads them).
    cluster = await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 2, worker_memory: '1g', owner: 'alice' });
    const stop = join(hub.dataDir, 'stop-busy');
    app = spawn(
      join(sparkPackage(), 'bin', 'spark-submit'),
      ['--master', cluster.master_url ?? '', '--conf', 'spark.executor.cores=1', '--conf', 'spark.cores.max=2', '--conf', 'spark.executor.memory=512m', BUSY, stop, '150'],
      // The hub sets SPARK_USER to the nbhub user for the jobs and notebooks it runs; this test does as it does.
      { env: { ...process.env, SPARK_USER: 'alice', SPARK_LOCAL_IP: '127.0.0.1', PYTHONPATH: sparkHome() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    app.stdout?.on('data', (d: Buffer) => (appOutput += d.toString()));
    app.stderr?.on('data', (d: Buffer) => (appOutput += d.toString()));
    const deadline = Date.now() + 120_000;
    while (!appId && Date.now() < deadline) {
      appId = /^APP (app-\S+)$/m.exec(appOutput)?.[1] ?? '';
      if (app.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!appId) throw new Error(`the application did not start:\n${appOutput}`);
    stopApp = () => writeFileSync(stop, '');
  }, 300_000);

  afterAll(async () => {
    stopApp();
    if (app) await killAndWait(app, 'SIGTERM');
    if (hub) {
      await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: admin });
      await waitForCluster(hub, admin, NAME, 'stopped', 120_000).catch(() => undefined);
      await hub.dispose();
    }
    expect(clusterProcesses(NAME)).toEqual([]);
  }, 180_000);

  const usage = async (token: string, query = ''): Promise<Answer> => {
    const r = await hub.api(`/hub/api/clusters/${NAME}/usage?from=${Math.floor(Date.now() / 1000) - 600}${query}`, { token });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as Answer;
  };

  it("shows the master, each worker and the application's executors, with CPU and memory, to the cluster's users", async () => {
    const wanted = ['master', 'worker-1', 'worker-2', `executors ${appId} alice`];
    let totals: Answer['totals'] = [];
    const deadline = Date.now() + 120_000;
    const used = (t: Answer['totals'][number]) => t.cpu_seconds > 0 && t.peak_memory > 0;
    const name = (l: Record<string, string>) => [l['component'], l['application'], l['user']].filter(Boolean).join(' ');
    while (Date.now() < deadline) {
      totals = (await usage(alice)).totals;
      if (wanted.every((w) => totals.some((t) => name(t.labels) === w && used(t)))) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const w of wanted) expect(totals.find((t) => name(t.labels) === w), `${w} in ${JSON.stringify(totals)}`).toSatisfy(used);
    // The executors burn CPU: their Python workers count to them.
    const executors = totals.find((t) => t.labels['component'] === 'executors');
    expect(executors?.cpu_seconds).toBeGreaterThan(1);

    // By application and by submitting user; and the cluster as a whole, which holds every part.
    const byApp = (await usage(alice, '&group_by=application')).totals;
    expect(byApp.map((t) => t.labels)).toEqual([{ application: appId, user: 'alice' }]);
    expect((await usage(admin, '&group_by=user')).totals.map((t) => t.labels)).toEqual([{ user: 'alice' }]);
    const whole = (await usage(alice, '&group_by=cluster')).totals;
    expect(whole[0]?.cpu_seconds).toBeGreaterThan(executors?.cpu_seconds ?? 0);
  });

  it('writes the running components in /hub/metrics', async () => {
    const r = await hub.api('/hub/metrics', { token: admin });
    expect(r.status).toBe(200);
    const text = await r.text();
    const cpu = linesOf(text, 'nbhub_cluster_component_cpu_seconds_total');
    const memory = linesOf(text, 'nbhub_cluster_component_memory_bytes');
    for (const lines of [cpu, memory]) {
      expect(lines.some((l) => l.includes('component="master"'))).toBe(true);
      expect(lines.some((l) => l.includes('component="worker-1"'))).toBe(true);
      expect(lines.some((l) => l.includes('component="worker-2"'))).toBe(true);
    }
    const exec = cpu.find((l) => l.includes('component="executors"') && l.includes(`application="${appId}"`) && l.includes('user="alice"'));
    expect(exec, cpu.join('\n')).toBeDefined();
    expect(Number(exec?.split(' ').at(-1))).toBeGreaterThan(0);
    expect(linesOf(text, 'nbhub_cluster_cpu_seconds_total')).toHaveLength(1);
    // The cluster is nobody's runtime.
    expect(text).not.toMatch(/nbhub_runtime_cpu_seconds_total\{user="_clusters"/);
  });

  it("refuses another user, and names what is wrong in a bad query", async () => {
    const refused = await hub.api(`/hub/api/clusters/${NAME}/usage`, { token: bob });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/not shared with you/);
    expect((await hub.api(`/hub/api/clusters/${NAME}/usage`)).status).toBe(403);
    expect((await hub.api('/hub/api/clusters/nosuch/usage', { token: admin })).status).toBe(404);
    const bad = await hub.api(`/hub/api/clusters/${NAME}/usage?group_by=kernel`, { token: alice });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/group_by/);
    // Nor does the cluster show in anyone's server usage, an admin's view of everyone included.
    const all = (await (await hub.api('/hub/api/usage?group_by=user', { token: admin })).json()) as Answer;
    expect(all.totals.map((t) => t.labels['user'])).not.toContain('_clusters');
  });
});
