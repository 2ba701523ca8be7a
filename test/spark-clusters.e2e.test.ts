import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { followLogLines } from './helpers/log-follow.js';
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

  interface LogPageJson {
    starts: Array<{ id: string; streams: string[] }>;
    start: string | null;
    stream: string;
    lines: string[];
  }
  const logs = async (query: string, token = alice): Promise<LogPageJson> => {
    const r = await hub.api(`/hub/api/clusters/${NAME}/logs?${query}`, { token });
    if (r.status !== 200) throw new Error(`logs?${query}: ${r.status} ${await r.text()}`);
    return (await r.json()) as LogPageJson;
  };

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
  });

  it("keeps each process's output as a start in the log layout, read by the cluster's users only", async () => {
    // The master's stream by default: both workers registered with it.
    const master = await logs('q=Registering worker');
    expect(master.starts).toHaveLength(1);
    expect(master.starts[0]?.streams).toEqual(['process:master', 'process:worker-1', 'process:worker-2']);
    expect(master.stream).toBe('process:master');
    // One or more lines per worker (Spark words it more than once).
    expect(master.lines.length).toBeGreaterThanOrEqual(2);
    expect((await logs('stream=process:worker-2&tail=1000')).lines.join('\n')).toMatch(/Successfully registered with master/);
    const text = await hub.api(`/hub/api/clusters/${NAME}/logs?stream=process:worker-1&q=registered`, { token: admin, headers: { accept: 'text/plain' } });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toMatch(/Successfully registered with master spark:\/\/127\.0\.0\.1:\d+\n/);
    const refused = await hub.api(`/hub/api/clusters/${NAME}/logs`, { token: bob });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/not shared with you/);
    expect((await hub.api(`/hub/api/clusters/${NAME}/logs?stream=runtime`, { token: alice })).status).toBe(400);
    expect((await hub.api(`/hub/api/clusters/${NAME}/logs?stream=process:worker-9`, { token: alice })).status).toBe(404);
    expect((await hub.api(`/hub/api/clusters/nope/logs`, { token: admin })).status).toBe(404);
    // In the log layout (kept, rotated, shipped), not beside the cluster's work directories.
    expect(existsSync(join(hub.dataDir, 'logs', '_clusters', NAME))).toBe(true);
    expect(existsSync(join(hub.dataDir, 'clusters', NAME, 'logs', 'master.log'))).toBe(false);
  });

  it('is adopted by a hub restarted after SIGKILL: same processes, still running', async () => {
    const before = clusterProcesses(NAME).sort();
    await hub.kill('SIGKILL');
    await hub.restart();
    const after = await waitForCluster(hub, admin, NAME, 'running');
    expect(after.master_url).toBe(cluster.master_url);
    expect(clusterProcesses(NAME).sort()).toEqual(before);
  });

  it('fails with the reason when one of its processes dies, and the master says so in a followed log', async () => {
    // The adopted cluster is still the same start.
    expect((await logs('tail=0')).starts).toHaveLength(1);
    const ac = new AbortController();
    const res = await fetch(`${hub.url}/hub/api/clusters/${NAME}/logs?follow=1&tail=0`, { headers: { authorization: `token ${alice}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: string[] = [];
    const done = followLogLines(res, (line) => seen.push(line));
    const worker = clusterProcesses(NAME).find((pid) => /deploy\.worker\.Worker/.test(readCmdline(pid)));
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    const failed = await waitForCluster(hub, alice, NAME, 'failed', 60_000);
    expect(failed.failure).toMatch(/worker-\d \(pid \d+\) ended/);
    await waitGone(NAME);
    // Written by the master after the follow began: it lost a worker.
    const deadline = Date.now() + 60_000;
    while (!seen.some((l) => /Removing worker|disassociated/i.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    ac.abort();
    await done;
    expect(seen.join('\n')).toMatch(/Removing worker|disassociated/i);
  });

  it('stops every process it started: owner start and stop, nothing left in /proc', async () => {
    const started = await hub.api(`/hub/api/clusters/${NAME}/start`, { method: 'POST', token: alice });
    expect(started.status).toBe(202);
    await waitForCluster(hub, alice, NAME, 'running');
    const stopped = await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: alice });
    expect(stopped.status).toBe(200);
    expect(((await stopped.json()) as ClusterJson).state).toBe('stopped');
    expect(clusterProcesses(NAME)).toEqual([]);
    // A start of the cluster is a start of its logs; the first one is still kept and read by its index.
    const latest = await logs('q=Registering worker');
    expect(latest.starts).toHaveLength(2);
    expect(latest.start).toBe(latest.starts[1]?.id);
    expect(latest.lines.length).toBeGreaterThanOrEqual(2);
    const first = await logs('start=0&q=Registering worker');
    expect(first.start).toBe(latest.starts[0]?.id);
    // The workers of the first start had other ports: the two starts' lines are their own.
    expect(first.lines).not.toEqual(latest.lines);
  });

  it('is deleted by an admin with its files', async () => {
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token: alice })).status).toBe(403);
    expect(existsSync(join(hub.dataDir, 'clusters', NAME))).toBe(true);
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await hub.api(`/hub/api/clusters/${NAME}`, { token: admin })).status).toBe(404);
    expect(existsSync(join(hub.dataDir, 'clusters', NAME))).toBe(false);
    expect(existsSync(join(hub.dataDir, 'logs', '_clusters', NAME))).toBe(false);
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
