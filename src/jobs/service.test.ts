import { builtinIdentity } from '../core/roles.js';
import { describe, expect, it } from 'vitest';
import { mayUseCluster, type ClusterRecord, type SparkJobRecord, type SparkJobRepo } from '../core/clusters.js';
import type { HubError } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import type { ObjectStore } from '../core/objects.js';
import type { ClientDriverLaunch, ClientDrivers } from './client-driver.js';
import type { SparkMaster } from './master.js';
import { SparkJobService } from './service.js';
import type { DriverStatus } from './spark-rest.js';

const who = (user: string, admin = false): Identity => builtinIdentity(user, admin);
const alice = who('alice');
const bob = who('bob');
const carol = who('carol');
const log = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined, child: () => log } as unknown as Logger;

const cluster = (over: Partial<ClusterRecord> = {}): ClusterRecord => ({
  name: 'c1', kind: 'spark', owner: 'alice', users: ['bob'], workers: 2, workerCores: 1, workerMemoryMb: 1024, desired: 'running', state: 'running', handle: null,
  endpoints: { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: 'http://127.0.0.1:8080' }, failure: null, created: 0, started: 100, stopped: null, ...over,
});

const setup = (o: { objects?: boolean; cluster?: ClusterRecord } = {}) => {
  const clusters = new Map<string, ClusterRecord>([['c1', o.cluster ?? cluster()]]);
  const rows = new Map<string, SparkJobRecord>();
  const repo: SparkJobRepo = {
    put: async (j) => void rows.set(j.id, structuredClone(j)),
    get: async (id) => structuredClone(rows.get(id)),
    list: async (q) => {
      const all = [...rows.values()].filter((j) => (!q.cluster || j.cluster === q.cluster) && (!q.user || j.user === q.user)).sort((a, b) => b.submitted - a.submitted);
      return { items: all.slice(q.offset, q.offset + q.limit), total: all.length };
    },
    unfinished: async () => [...rows.values()].filter((j) => !['FINISHED', 'FAILED', 'KILLED', 'ERROR', 'UNKNOWN'].includes(j.state)),
  };
  const objects: ObjectStore = {
    head: async (b, k) => (b === 'jobs' && (k === 'pi.jar' || k === 'run.py') ? { size: 10 } : null),
    presignGet: (b, k, s) => `http://127.0.0.1:7070/${b}/${k}?X-Amz-Expires=${s}&X-Amz-Signature=abc`,
    put: async () => undefined,
    createBucket: async () => undefined,
  };
  const sent: Array<Record<string, unknown>> = [];
  const drivers = new Map<string, DriverStatus>();
  const killed: string[] = [];
  const master: SparkMaster = {
    submit: async (_e, r) => {
      sent.push(r);
      const id = `driver-${sent.length}`;
      drivers.set(id, { state: 'SUBMITTED', workerId: null, workerHostPort: null, message: null });
      return { ok: true, submissionId: id };
    },
    status: async (_e, id) => drivers.get(id) ?? null,
    kill: async (_e, id) => {
      killed.push(id);
      const d = drivers.get(id);
      if (d) drivers.set(id, { ...d, state: 'KILLED' });
      return { ok: true, message: null };
    },
    state: async () => ({
      apps: sent.map((r, i) => ({ id: `app-${i + 1}`, name: (r['sparkProperties'] as Record<string, string>)['spark.app.name'] ?? '', state: 'RUNNING', active: true })),
      workers: [{ id: 'worker-1', webui: 'http://127.0.0.1:8081', state: 'ALIVE' }],
    }),
    driverLog: async (_w, _id, stream) => (stream === 'stdout' ? 'Pi is roughly 3.14\n' : 'INFO spark things\n'),
  };
  const clientState = new Map<string, ReturnType<ClientDrivers['state']>>();
  const launched: ClientDriverLaunch[] = [];
  const client: ClientDrivers = {
    start: async (l) => {
      launched.push(l);
      clientState.set(l.jobId, { state: 'running' });
    },
    state: (id) => clientState.get(id) ?? { state: 'gone' },
    kill: async (id) => void clientState.set(id, { state: 'exited', code: 143 }),
    log: (id) => `output of ${id}\n`,
  };
  let n = 0;
  const service = new SparkJobService({
    drivers: client,
    clusters: { get: (name) => clusters.get(name), list: () => [...clusters.values()], mayUse: mayUseCluster },
    repo,
    objects: o.objects === false ? null : objects,
    master,
    clock: { now: () => 1000 + n * 10 },
    ids: { random: () => `job${++n}` },
    log,
    presignSeconds: 3600,
    pollMs: 1000,
    logBytes: 1024,
  });
  return { service, clusters, rows, sent, drivers, killed, launched, clientState };
};

const refusal = async (p: Promise<unknown>): Promise<{ code: string; message: string }> => {
  const e = (await p.then(
    () => {
      throw new Error('accepted');
    },
    (err: unknown) => err,
  )) as HubError;
  return { code: e.code, message: e.message };
};
const req = { resource: 's3://jobs/pi.jar', main_class: 'NbhubPi', args: ['4'], conf: { 'spark.executor.memory': '512m' } };

describe('SparkJobService', () => {
  it("submits: the signed URL as resource and jar, cluster mode, the submitter's SPARK_USER", async () => {
    const { service, sent, rows } = setup();
    const job = await service.submit(bob, 'c1', req);
    expect(job).toMatchObject({ cluster: 'c1', user: 'bob', state: 'SUBMITTED', submissionId: 'driver-1', resource: 's3://jobs/pi.jar', mainClass: 'NbhubPi', args: ['4'] });
    expect(rows.get(job.id)).toEqual(job);
    const r = sent[0]!;
    expect(r['appResource']).toBe('http://127.0.0.1:7070/jobs/pi.jar?X-Amz-Expires=3600&X-Amz-Signature=abc');
    expect(r['environmentVariables']).toEqual({ SPARK_USER: 'bob' });
    expect(r['sparkProperties']).toMatchObject({ 'spark.jars': r['appResource'], 'spark.submit.deployMode': 'cluster', 'spark.master': 'spark://127.0.0.1:7077', 'spark.ui.reverseProxyUrl': '/clusters/c1', 'spark.executor.memory': '512m' });
  });

  it('refuses, changing nothing: unknown cluster 404, not shared 403, bad body 400, no store 503, not running 409, missing object 400', async () => {
    const { service, sent, rows } = setup();
    expect(await refusal(service.submit(alice, 'nope', req))).toEqual({ code: 'NOT_FOUND', message: 'No such cluster: nope' });
    expect(await refusal(service.submit(carol, 'c1', req))).toEqual({ code: 'FORBIDDEN', message: 'Cluster c1 is not shared with you' });
    expect((await refusal(service.submit(alice, 'c1', { ...req, conf: { 'spark.master': 'local' } }))).message).toMatch(/conf spark\.master is set by the hub/);
    expect(await refusal(service.submit(alice, 'c1', { ...req, resource: 's3://jobs/gone.jar' }))).toEqual({ code: 'BAD_REQUEST', message: 's3://jobs/gone.jar does not exist' });
    expect(await refusal(setup({ objects: false }).service.submit(alice, 'c1', req))).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/object_store\.endpoint/) });
    expect(await refusal(setup({ cluster: cluster({ state: 'stopped', endpoints: null }) }).service.submit(alice, 'c1', req))).toEqual({ code: 'CONFLICT', message: 'Cluster c1 is stopped: start it before submitting jobs' });
    expect(sent).toEqual([]);
    expect(rows.size).toBe(0);
  });

  it('follows the driver (app id found by name), shows its log, lists newest first', async () => {
    const { service, drivers } = setup();
    const a = await service.submit(alice, 'c1', req);
    const b = await service.submit(bob, 'c1', req);
    drivers.set('driver-1', { state: 'RUNNING', workerId: 'worker-1', workerHostPort: '127.0.0.1:1', message: null });
    await service.pollOnce();
    const seen = await service.get(bob, 'c1', a.id);
    expect(seen.job).toMatchObject({ state: 'RUNNING', appId: 'app-1', ended: null });
    expect(seen.driverLog).toBe('==> stdout <==\nPi is roughly 3.14\n==> stderr <==\nINFO spark things\n');
    drivers.set('driver-1', { state: 'FINISHED', workerId: 'worker-1', workerHostPort: '127.0.0.1:1', message: null });
    await service.pollOnce();
    expect((await service.get(alice, 'c1', a.id)).job).toMatchObject({ state: 'FINISHED', ended: expect.any(Number) });
    const page = await service.list(alice, 'c1', { offset: 0, limit: 10 });
    expect(page.items.map((j) => [j.id, j.user])).toEqual([
      [b.id, 'bob'],
      [a.id, 'alice'],
    ]);
    expect(await refusal(service.get(carol, 'c1', a.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(service.get(alice, 'c1', 'nojob'))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('kills: the submitter, the owner or an admin; KILLED once the master says so', async () => {
    const { service, killed, clusters } = setup();
    clusters.set('c1', cluster({ users: ['bob', 'carol'] }));
    const job = await service.submit(bob, 'c1', req);
    expect(await refusal(service.kill(carol, 'c1', job.id))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/submitted by bob/) });
    expect(killed).toEqual([]);
    expect(await service.kill(alice, 'c1', job.id)).toMatchObject({ state: 'KILLED', ended: expect.any(Number) });
    expect(killed).toEqual(['driver-1']);
  });

  it('a stopped or deleted cluster ends its unfinished jobs', async () => {
    const { service, clusters, rows } = setup();
    const a = await service.submit(alice, 'c1', req);
    clusters.set('c1', cluster({ state: 'stopped', endpoints: null }));
    await service.pollOnce();
    expect(rows.get(a.id)).toMatchObject({ state: 'KILLED', message: 'Cluster c1 was stopped while the job ran' });
    clusters.set('c1', cluster());
    const b = await service.submit(alice, 'c1', req);
    clusters.delete('c1');
    await service.pollOnce();
    expect(rows.get(b.id)).toMatchObject({ state: 'UNKNOWN', message: 'Cluster c1 was deleted while the job ran' });
  });

  it('runs a Python file in client mode beside the hub: its process says RUNNING, its exit code FINISHED or FAILED', async () => {
    const { service, launched, clientState, sent, rows } = setup();
    const py = { resource: 's3://jobs/run.py', args: ['a'] };
    const job = await service.submit(bob, 'c1', py);
    expect(job).toMatchObject({ submissionId: `client-${job.id}`, mainClass: '', state: 'SUBMITTED', user: 'bob' });
    expect(sent).toEqual([]);
    expect(launched[0]).toMatchObject({
      jobId: job.id,
      resourceUrl: 'http://127.0.0.1:7070/jobs/run.py?X-Amz-Expires=3600&X-Amz-Signature=abc',
      args: ['a'],
      user: 'bob',
      conf: { 'spark.submit.deployMode': 'client', 'spark.master': 'spark://127.0.0.1:7077', 'spark.app.name': `run.py [nbhub job ${job.id}]`, 'spark.ui.reverseProxyUrl': '/clusters/c1' },
    });
    await service.pollOnce();
    expect(rows.get(job.id)?.state).toBe('RUNNING');
    clientState.set(job.id, { state: 'exited', code: 0 });
    const seen = await service.get(bob, 'c1', job.id);
    expect(seen.job).toMatchObject({ state: 'FINISHED' });
    expect(seen.driverLog).toBe(`output of ${job.id}\n`);
    const failing = await service.submit(bob, 'c1', py);
    clientState.set(failing.id, { state: 'exited', code: 1 });
    await service.pollOnce();
    expect(rows.get(failing.id)).toMatchObject({ state: 'FAILED', message: 'spark-submit exited with code 1' });
    const killed = await service.submit(bob, 'c1', py);
    expect(await service.kill(bob, 'c1', killed.id)).toMatchObject({ state: 'KILLED' });
    expect(clientState.get(killed.id)).toEqual({ state: 'exited', code: 143 });
    expect((await refusal(service.submit(bob, 'c1', { ...py, main_class: 'Main' }))).message).toMatch(/main_class is for jars/);
  });
});
