import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../src/objects/s3-store.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { s3Missing, startTestS3, type TestS3 } from './helpers/s3.js';
import { buildPiJar } from './helpers/spark-jar.js';
import { clusterProcesses, sparkPackage, startCluster, waitForCluster } from './helpers/spark.js';

interface JobJson {
  id: string;
  cluster: string;
  user: string;
  state: string;
  app_id: string | null;
  submission_id: string | null;
  message: string | null;
  ended: string | null;
  driver_log?: string | null;
}

const NAME = 'jobs-e2e';
/** A PySpark program: its answer is printed by the driver, the sum computed by an executor on the cluster. */
const SQUARES_PY = `import sys
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
total = spark.sparkContext.parallelize(range(n), 2).map(lambda x: x * x).sum()
print(f"sum of squares below {n}: {total}", flush=True)
spark.stop()
`;
const missing = s3Missing();

/**
 * Jobs through the hub's API on a real Spark 4.3 cluster (two workers of one core: one runs the driver, the other
 * its executor), their jar in a real S3 server (versitygw). Waits are generous: JVMs start slowly on a busy box.
 */
describe.skipIf(missing !== null)(`Spark jobs through the hub${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let s3: TestS3;
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  let carol: string;

  beforeAll(async () => {
    s3 = await startTestS3();
    const store = new S3ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region, clock: { now: () => Date.now() } });
    await store.createBucket('jobs');
    await store.put('jobs', 'pi/nbhub-pi.jar', buildPiJar(sparkPackage()));
    await store.put('jobs', 'py/squares.py', SQUARES_PY);
    hub = await startTestHub({
      config: `object_store:\n  endpoint: ${s3.endpoint}\n  access_key: ${s3.accessKey}\n  secret_key: ${s3.secretKey}\n  region: ${s3.region}\n  presign_seconds: 600\n`,
    });
    admin = hub.addUser('root', { admin: true });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    carol = hub.addUser('carol');
  }, 120_000);

  afterAll(async () => {
    await hub?.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: admin }).catch(() => undefined);
    await hub?.dispose();
    await s3?.stop();
    expect(clusterProcesses(NAME)).toEqual([]);
  }, 120_000);

  const jobs = (_token: string) => `/hub/api/clusters/${NAME}/jobs`;
  const submit = (token: string, body: unknown, cluster = NAME) => hub.api(`/hub/api/clusters/${cluster}/jobs`, { method: 'POST', token, body });
  const look = async (token: string, id: string): Promise<JobJson> => (await (await hub.api(`${jobs(token)}/${id}`, { token })).json()) as JobJson;
  const waitFor = async (token: string, id: string, ok: (j: JobJson) => boolean, what: string, ms = 180_000): Promise<JobJson> => {
    const deadline = Date.now() + ms;
    let last: JobJson | undefined;
    while (Date.now() < deadline) {
      last = await look(token, id);
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`job ${id} never ${what}: ${JSON.stringify(last)}\n${hub.output()}`);
  };
  const pi = { resource: 's3://jobs/pi/nbhub-pi.jar', main_class: 'NbhubPi', conf: { 'spark.driver.memory': '512m', 'spark.executor.memory': '512m' } };

  it('refuses bad submissions with a message naming what is wrong, and keeps nothing', async () => {
    await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 1, worker_memory: '1g', owner: 'alice', users: ['bob'] });
    const created = await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body: { name: 'idle-e2e', kind: 'spark', workers: 1, worker_cores: 1, worker_memory: '512m', owner: 'alice' } });
    expect(created.status).toBe(201);
    const bad: Array<[string, unknown, number, RegExp, string?]> = [
      [alice, { ...pi, resource: 'https://example.org/pi.jar' }, 400, /resource must be s3:\/\/bucket\/key/],
      [alice, { ...pi, resource: 's3://jobs/pi/missing.jar' }, 400, /^s3:\/\/jobs\/pi\/missing\.jar does not exist$/],
      [alice, { ...pi, resource: 's3://nobucket/x.jar' }, 400, /does not exist/],
      [alice, { ...pi, main_class: 'Nbhub Pi;' }, 400, /main_class must be a Java class name/],
      [alice, { ...pi, resource: 's3://jobs/py/squares.py' }, 400, /^main_class is for jars/],
      [alice, { ...pi, args: ['2', 600] }, 400, /^args\[1\] must be a string, not number$/],
      [alice, { ...pi, args: Array(300).fill('1') }, 400, /at most 256/],
      [alice, { ...pi, conf: { 'spark.master': 'local[*]' } }, 400, /^conf spark\.master is set by the hub/],
      [alice, { ...pi, conf: { 'spark.ui.reverseProxyUrl': '/x' } }, 400, /^conf spark\.ui\.reverseProxyUrl is set by the hub/],
      [alice, { ...pi, conf: { 'spark.executor.cores': 2 } }, 400, /^conf spark\.executor\.cores must be a string/],
      [alice, { ...pi, colour: 'blue' }, 400, /colour/],
      [carol, pi, 403, /not shared with you/],
      [alice, pi, 404, /No such cluster: nope/, 'nope'],
      [alice, pi, 409, /Cluster idle-e2e is stopped: start it/, 'idle-e2e'],
    ];
    for (const [token, body, status, message, cluster] of bad) {
      const r = await submit(token, body, cluster);
      const text = await r.text();
      expect(r.status, `${JSON.stringify(body)} → ${text}`).toBe(status);
      expect((JSON.parse(text) as { message: string }).message).toMatch(message);
    }
    const history = (await (await hub.api(jobs(alice), { token: alice })).json()) as { items: JobJson[] };
    expect(history.items).toEqual([]);
    expect((await hub.api(jobs(carol), { token: carol })).status).toBe(403);
  }, 240_000);

  let first: JobJson;
  it('runs a jar from the object store: RUNNING, then FINISHED, the answer in the driver log', async () => {
    const r = await submit(bob, { ...pi, args: ['4'] });
    expect(r.status).toBe(201);
    first = (await r.json()) as JobJson;
    expect(first).toMatchObject({ cluster: NAME, user: 'bob', state: 'SUBMITTED' });
    expect(first.submission_id).toMatch(/^driver-/);
    await waitFor(bob, first.id, (j) => j.state === 'RUNNING', 'RUNNING');
    const done = await waitFor(bob, first.id, (j) => j.state !== 'RUNNING' && j.state !== 'SUBMITTED', 'ended');
    expect(done.state, JSON.stringify(done)).toBe('FINISHED');
    expect(done.ended).not.toBeNull();
    expect(done.app_id).toMatch(/^app-/);
    expect(done.driver_log).toMatch(/Pi is roughly 3\.1/);
    // The owner sees it too; someone it is not shared with does not.
    expect((await look(alice, first.id)).state).toBe('FINISHED');
    expect((await hub.api(`${jobs(carol)}/${first.id}`, { token: carol })).status).toBe(403);
  }, 300_000);

  let second: JobJson;
  it('kills a running job: KILLED, and its driver process is gone', async () => {
    const r = await submit(alice, { ...pi, args: ['2', '600'] });
    expect(r.status).toBe(201);
    second = (await r.json()) as JobJson;
    // Running its sleep: the answer is printed already.
    await waitFor(alice, second.id, (j) => j.state === 'RUNNING' && /Pi is roughly/.test(j.driver_log ?? ''), 'printed its answer');
    const driverPids = () => clusterProcesses(NAME).filter((pid) => readCmdline(pid).includes(second.submission_id!));
    expect(driverPids().length).toBeGreaterThan(0);
    expect((await hub.api(`${jobs(bob)}/${second.id}`, { method: 'DELETE', token: bob })).status).toBe(403);
    const killed = await hub.api(`${jobs(alice)}/${second.id}`, { method: 'DELETE', token: alice });
    expect(killed.status).toBe(200);
    expect(((await killed.json()) as JobJson).state).toBe('KILLED');
    const deadline = Date.now() + 60_000;
    while (driverPids().length > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 250));
    expect(driverPids()).toEqual([]);
  }, 300_000);

  it('lists the history newest first with who submitted each', async () => {
    const page = (await (await hub.api(`${jobs(bob)}?limit=1`, { token: bob })).json()) as { items: JobJson[]; _pagination: { total: number; next: { offset: number } | null } };
    expect(page._pagination.total).toBe(2);
    expect(page.items.map((j) => [j.id, j.user, j.state])).toEqual([[second.id, 'alice', 'KILLED']]);
    expect(page._pagination.next?.offset).toBe(1);
    const all = (await (await hub.api(jobs(admin), { token: admin })).json()) as { items: JobJson[] };
    expect(all.items.map((j) => [j.id, j.user, j.state])).toEqual([
      [second.id, 'alice', 'KILLED'],
      [first.id, 'bob', 'FINISHED'],
    ]);
    // The store's secret key is in no answer and no log line.
    expect(JSON.stringify(all)).not.toContain(s3.secretKey);
    expect(hub.output()).not.toContain(s3.secretKey);
  });

  it('runs a Python file in client mode: its driver beside the hub, RUNNING then FINISHED, its output in driver_log', async () => {
    const r = await submit(bob, { resource: 's3://jobs/py/squares.py', args: ['1000'], conf: { 'spark.executor.memory': '512m' } });
    expect(r.status).toBe(201);
    const py = (await r.json()) as JobJson;
    expect(py.submission_id).toBe(`client-${py.id}`);
    await waitFor(bob, py.id, (j) => j.state === 'RUNNING', 'RUNNING');
    const done = await waitFor(bob, py.id, (j) => j.state !== 'RUNNING' && j.state !== 'SUBMITTED', 'ended');
    expect(done.state, `${JSON.stringify(done)}`).toBe('FINISHED');
    expect(done.driver_log).toContain('sum of squares below 1000: 332833500');
    expect(done.app_id).toMatch(/^app-/);
  }, 300_000);

  it('ends a running job KILLED when its cluster is stopped', async () => {
    const r = await submit(bob, { ...pi, args: ['2', '600'] });
    const third = (await r.json()) as JobJson;
    await waitFor(bob, third.id, (j) => j.state === 'RUNNING', 'RUNNING');
    expect((await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: alice })).status).toBe(200);
    await waitForCluster(hub, alice, NAME, 'stopped');
    const ended = await waitFor(bob, third.id, (j) => j.state !== 'RUNNING', 'ended', 30_000);
    expect(ended).toMatchObject({ state: 'KILLED', message: `Cluster ${NAME} was stopped while the job ran` });
    expect(clusterProcesses(NAME)).toEqual([]);
  }, 300_000);
});

describe.skipIf(missing !== null)('Spark jobs without an object store', () => {
  it('answers 503 naming object_store.endpoint', async () => {
    const hub = await startTestHub();
    try {
      const admin = hub.addUser('root', { admin: true });
      expect((await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body: { name: 'nostore', kind: 'spark', workers: 1, worker_cores: 1, worker_memory: '512m' } })).status).toBe(201);
      const r = await hub.api('/hub/api/clusters/nostore/jobs', { method: 'POST', token: admin, body: { resource: 's3://jobs/pi.jar', main_class: 'NbhubPi' } });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { message: string }).message).toMatch(/object_store\.endpoint/);
    } finally {
      await hub.dispose();
    }
  });
});

const readCmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};
