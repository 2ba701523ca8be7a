import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { clusterProcesses, startCluster, waitForCluster, type ClusterJson } from './helpers/spark.js';

/** Spark 4 from PyPI (scripts/install-deps.sh --spark): real masters and workers, started and stopped by the hub. */
describe('Spark clusters managed by the hub', () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  const NAME = 'lifecycle-e2e';

  beforeAll(async () => {
    hub = await startTestHub();
    admin = hub.addUser('root', { admin: true });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('refuses bad requests with a message naming the field, and creates nothing', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ name: 'Bad_Name', workers: 1 }, /name must be lower-case/],
      [{ name: 'x', workers: 0 }, /workers must be a whole number from 1/],
      [{ name: 'x', workers: 1, worker_memory: 'lots' }, /worker_memory must be a size/],
      [{ name: 'x', worker_cores: 1.5 }, /worker_cores/],
      [{ name: 'x', kind: 'flink' }, /kind/],
      [{ name: 'x', owner: 'nobody' }, /No such user: nobody/],
      [{ name: 'x', colour: 'blue' }, /Unknown field: colour/],
      ['not json object', /body/],
    ];
    for (const [body, message] of bad) {
      const r = await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { message: string }).message).toMatch(message);
    }
    const byUser = await hub.api('/hub/api/clusters', { method: 'POST', token: alice, body: { name: 'mine' } });
    expect(byUser.status).toBe(403);
    expect(await (await hub.api('/hub/api/clusters', { token: admin })).json()).toEqual([]);
  });

  let cluster: ClusterJson;
  it('starts a master and two workers for its owner, seen by the users it is shared with only', async () => {
    cluster = await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 1, worker_memory: '512m', owner: 'alice' });
    expect(cluster).toMatchObject({ name: NAME, owner: 'alice', workers: 2, worker_memory: '512m', ui_url: `/clusters/${NAME}/`, failure: null });
    expect(cluster.master_url).toMatch(/^spark:\/\/127\.0\.0\.1:\d+$/);
    // The master and both workers carry the cluster's marker.
    expect(clusterProcesses(NAME).length).toBeGreaterThanOrEqual(3);
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { token: alice })).status).toBe(200);
    const refused = await hub.api(`/hub/api/clusters/${NAME}`, { token: bob });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/not shared with you/);
    expect(await (await hub.api('/hub/api/clusters', { token: bob })).json()).toEqual([]);
    expect((await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: bob })).status).toBe(403);
    const dup = await hub.api('/hub/api/clusters', { method: 'POST', token: admin, body: { name: NAME } });
    expect(dup.status).toBe(409);
    const logs = (await (await hub.api(`/hub/api/clusters/${NAME}/logs?tail=50`, { token: alice })).json()) as Array<{ process: string; text: string }>;
    expect(logs.map((l) => l.process)).toEqual(['master', 'worker-1', 'worker-2']);
    expect(logs[0]?.text).toMatch(/Registering worker/);
  });

  it('is adopted by a hub restarted after SIGKILL: same processes, still running', async () => {
    const before = clusterProcesses(NAME).sort();
    await hub.kill('SIGKILL');
    await hub.restart();
    const after = await waitForCluster(hub, admin, NAME, 'running');
    expect(after.master_url).toBe(cluster.master_url);
    expect(clusterProcesses(NAME).sort()).toEqual(before);
  });

  it('fails with the reason when one of its processes dies', async () => {
    const worker = clusterProcesses(NAME).find((pid) => /deploy\.worker\.Worker/.test(readCmdline(pid)));
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    const failed = await waitForCluster(hub, alice, NAME, 'failed', 60_000);
    expect(failed.failure).toMatch(/worker-\d \(pid \d+\) ended/);
    await waitGone(NAME);
  });

  it('stops every process it started: owner start and stop, nothing left in /proc', async () => {
    const started = await hub.api(`/hub/api/clusters/${NAME}/start`, { method: 'POST', token: alice });
    expect(started.status).toBe(202);
    await waitForCluster(hub, alice, NAME, 'running');
    const stopped = await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: alice });
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as ClusterJson).state).toBe('stopped');
    expect(clusterProcesses(NAME)).toEqual([]);
  });

  it('is deleted by an admin with its files', async () => {
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token: alice })).status).toBe(403);
    expect(existsSync(join(hub.dataDir, 'clusters', NAME))).toBe(true);
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { token: admin })).status).toBe(404);
    expect(existsSync(join(hub.dataDir, 'clusters', NAME))).toBe(false);
  });
});

const readCmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

const waitGone = async (name: string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (clusterProcesses(name).length > 0) {
    if (Date.now() > deadline) throw new Error(`cluster ${name}'s processes still run: ${clusterProcesses(name).join(' ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};
