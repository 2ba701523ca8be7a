import { builtinIdentity } from '../core/roles.js';
import { describe, expect, it } from 'vitest';
import type { ClusterHandle, ClusterRecord, ClusterRepo, ClusterSpawner } from '../core/clusters.js';
import type { Identity } from '../core/identity.js';
import { ClusterManager } from './manager.js';

const admin: Identity = builtinIdentity('root', true, 'token');
const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

const memoryRepo = (): ClusterRepo => {
  const rows = new Map<string, ClusterRecord>();
  return {
    list: async () => [...rows.values()],
    get: async (n) => rows.get(n),
    create: async (c) => (rows.has(c.name) ? false : (rows.set(c.name, c), true)),
    put: async (c) => (rows.has(c.name) ? (rows.set(c.name, c), true) : false),
    delete: async (n) => rows.delete(n),
  };
};

/** A spawner whose processes are flags: `alive` until stopped or killed by the test. */
const fakeSpawner = (o: { fail?: string } = {}) => {
  const stopped: string[] = [];
  let alive = false;
  const spawner: ClusterSpawner = {
    kind: 'fake',
    start: async (spec) => {
      if (o.fail) throw new Error(o.fail);
      alive = true;
      return { handle: { v: 1, kind: 'fake', name: spec.name }, endpoints: { master: 'spark://m:1', rest: 'http://m:2', ui: 'http://m:3' } };
    },
    poll: async () => (alive ? { status: 'running' } : { status: 'exited', reason: 'its master (pid 1) ended' }),
    stop: async (h: ClusterHandle) => {
      alive = false;
      stopped.push(String(h['name']));
    },
    logTail: async () => '[master]\nlast words',
    removeFiles: async () => {},
  };
  return { spawner, stopped, kill: () => (alive = false) };
};

const manager = (spawner: ClusterSpawner, workersAlive: () => number | null, startTimeoutMs = 60_000) =>
  new ClusterManager({
    repo: memoryRepo(),
    spawner,
    userExists: async () => true,
    clock: { now: () => Date.now() },
    log: silent,
    startTimeoutMs,
    pollMs: 60_000,
    host: 'here',
    readMaster: async () => {
      const n = workersAlive();
      return n === null ? null : { alive: n, workers: [] };
    },
  });

const until = async (m: ClusterManager, state: string) => {
  for (let i = 0; i < 200 && m.get('c')?.state !== state; i++) await new Promise((r) => setTimeout(r, 10));
  return m.get('c');
};

const input = { name: 'c', kind: 'spark' as const, workers: 2, workerCores: 1, workerMemoryMb: 1024, owner: 'alice', users: [] };

describe('ClusterManager', () => {
  it('is running once every worker has registered, not before', async () => {
    let alive = 1;
    const f = fakeSpawner();
    const m = manager(f.spawner, () => alive);
    await m.create(input, admin);
    expect((await m.start('c', admin)).state).toBe('starting');
    await new Promise((r) => setTimeout(r, 700));
    expect(m.get('c')?.state).toBe('starting');
    alive = 2;
    expect(await until(m, 'running')).toMatchObject({ state: 'running', endpoints: { master: 'spark://m:1' }, handle: { host: 'here' } });
    await m.close();
  });

  it('fails a start that does not finish in time, naming the key, and stops what it launched', async () => {
    const f = fakeSpawner();
    const m = manager(f.spawner, () => 1, 300);
    await m.create(input, admin);
    await m.start('c', admin);
    const c = await until(m, 'failed');
    expect(c?.failure).toMatch(/only 1 of 2 workers registered with the master within 0 s \(spark.start_timeout_seconds\)\. Last lines:\n\[master\]\nlast words/);
    expect(f.stopped).toEqual(['c']);
    expect(c).toMatchObject({ desired: 'stopped', handle: null, endpoints: null });
  });

  it('says why a launch failed', async () => {
    const m = manager(fakeSpawner({ fail: 'Spark is not installed' }).spawner, () => 2);
    await m.create(input, admin);
    await m.start('c', admin);
    expect((await until(m, 'failed'))?.failure).toBe('Could not start: Spark is not installed');
  });

  it('stops a start in progress, and what it launched', async () => {
    const f = fakeSpawner();
    const m = manager(f.spawner, () => null);
    await m.create(input, admin);
    await m.start('c', admin);
    await new Promise((r) => setTimeout(r, 50));
    expect((await m.stop('c', admin)).state).toBe('stopped');
    expect(f.stopped).toEqual(['c']);
  });

  it('fails a running cluster whose process died, with the reason', async () => {
    const f = fakeSpawner();
    const m = manager(f.spawner, () => 2);
    await m.create(input, admin);
    await m.start('c', admin);
    await until(m, 'running');
    f.kill();
    await m.check();
    expect(m.get('c')).toMatchObject({ state: 'failed', failure: 'The cluster stopped by itself: its master (pid 1) ended' });
  });

  it('fails a start that threw midway (never leaves it starting), and stops what it launched', async () => {
    const f = fakeSpawner();
    f.spawner.poll = async () => {
      throw new Error('the disk is full');
    };
    const m = manager(f.spawner, () => 2);
    await m.create(input, admin);
    await m.start('c', admin);
    expect((await until(m, 'failed'))?.failure).toBe('Could not start: the disk is full');
    expect(f.stopped).toEqual(['c']);
  });

  it('refuses a second cluster of the same name', async () => {
    const m = manager(fakeSpawner().spawner, () => 2);
    await m.create(input, admin);
    await expect(m.create(input, admin)).rejects.toThrow(/exists already/);
  });
});
