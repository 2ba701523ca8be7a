import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { Spawner } from '../core/spawner.js';
import type { ServerRepo, Store } from '../core/store.js';
import { toLaunchRecord } from './launch-record.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

/**
 * What a crashed hub left in its store: only the server records matter here (lifecycle/ may not import a
 * store implementation; the store contract suite covers those). Writes are kept for the test to read.
 */
const leftBehind = (records: ServerRecord[]) => {
  const rows = new Map(records.map((r) => [`${r.user}/${r.name}`, r]));
  const servers: Pick<ServerRepo, 'listAll' | 'get' | 'write' | 'claim' | 'noteActivity'> = {
    listAll: () => Promise.resolve([...rows.values()]),
    get: (u, n) => Promise.resolve(rows.get(`${u}/${n}`)),
    write: (r) => {
      const cur = rows.get(`${r.user}/${r.name}`);
      if ((cur?.version ?? 0) !== r.version - 1) return Promise.resolve(false);
      rows.set(`${r.user}/${r.name}`, r);
      return Promise.resolve(true);
    },
    claim: (u, n, c) => {
      const cur = rows.get(`${u}/${n}`);
      if (!cur || cur.owner !== c.from || cur.version !== c.version) return Promise.resolve(false);
      rows.set(`${u}/${n}`, { ...cur, owner: c.to, version: c.version + 1 });
      return Promise.resolve(true);
    },
    noteActivity: (u, n, at) => {
      const cur = rows.get(`${u}/${n}`);
      if (cur && (cur.lastActivity ?? 0) < at) rows.set(`${u}/${n}`, { ...cur, lastActivity: at });
      return Promise.resolve();
    },
  };
  return { store: { servers, history: { add: () => Promise.resolve() } } as unknown as Store, rows };
};

/** A spawner whose runtimes all survived the crash. */
const aliveSpawner: Spawner = {
  kind: 'fake',
  start: () => Promise.reject(new Error('not in this test')),
  poll: () => Promise.resolve({ status: 'running' }),
  stop: () => Promise.resolve(),
  logTail: () => Promise.resolve(''),
  removeWorkspace: () => Promise.resolve(),
  rootPid: () => null,
  onExit: () => undefined,
};

const handle = toLaunchRecord({ handle: { v: 1, kind: 'fake' }, target: 'http://127.0.0.1:1', token: 't', readinessPath: 'api', startTimeoutSeconds: 60, startTimeoutKey: 'x' });
const running = (user: string, lastActivity: number | null): ServerRecord => ({
  ...newServerRecord(user, '', T0 - 10 * HOUR),
  version: 1,
  desired: 'running',
  state: 'running',
  handle,
  target: 'http://127.0.0.1:1',
  runtimeToken: 't',
  started: T0 - 10 * HOUR,
  ready: T0 - 10 * HOUR,
  lastActivity,
});

describe('Lifecycle after a hub restart', () => {
  let life: Lifecycle | undefined;
  afterEach(() => life?.reconciler.shutdown({ stopRuntimes: false }));

  it('counts adopted running servers as active at the restart (one whole idle timeout from it): the outage is not idleness', async () => {
    // Idle for two hours before the hub went down, never active, and a stopped server.
    const { store, rows } = leftBehind([running('old', T0 - 2 * HOUR), running('never', null), { ...newServerRecord('old', 'gone', T0 - 10 * HOUR), version: 1, lastActivity: T0 - 5 * HOUR }]);
    const now = T0 + 120_000;
    life = createLifecycle({ store, spawner: aliveSpawner, clock: { now: () => now }, log: silentLogger, profiles: new Set(['default']), defaultProfile: 'default', pollSeconds: 3600, activityFlushMs: 3_600_000 });
    await life.reconciler.init();
    expect(life.servers.get('old', '')).toMatchObject({ state: 'running', lastActivity: now });
    expect(life.servers.get('never', '')?.lastActivity).toBe(now);
    expect(life.servers.get('old', 'gone')?.lastActivity).toBe(T0 - 5 * HOUR);
    // Stored too (at the next activity flush; here at shutdown), so the API and the store agree.
    await life.reconciler.shutdown({ stopRuntimes: false });
    life = undefined;
    expect(rows.get('old/')?.lastActivity).toBe(now);
  });
});

describe('Lifecycle: a deletion that fails', () => {
  let life: Lifecycle | undefined;
  afterEach(() => life?.reconciler.shutdown({ stopRuntimes: false }));

  it('logs what failed (the removal, with its cause), not that the runtime cannot be observed, and keeps the server', async () => {
    // Stopped, its deletion asked for through another instance: the owner removes it at its next pass.
    const { store } = leftBehind([{ ...newServerRecord('ann', 'lab', T0), version: 1, owner: 'local', removeRequested: true }]);
    const errors: Array<{ msg: string | undefined; err: unknown }> = [];
    const log = { ...silentLogger, error: (o: object, msg?: string) => void errors.push({ msg, err: (o as { err?: unknown }).err }) };
    const spawner: Spawner = { ...aliveSpawner, removeWorkspace: () => Promise.reject(new Error('EACCES: permission denied, rmdir')) };
    life = createLifecycle({ store, spawner, clock: { now: () => T0 }, log, profiles: new Set(['default']), defaultProfile: 'default', pollSeconds: 3600, activityFlushMs: 3_600_000 });
    await life.reconciler.init();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/cannot remove/);
    expect(errors[0]?.msg).not.toMatch(/observe/);
    expect(String(errors[0]?.err)).toContain('EACCES');
    expect(life.servers.get('ann', 'lab')).toMatchObject({ state: 'stopped', removeRequested: true });
  });
});

describe('Lifecycle: why a workspace is removed', () => {
  let life: Lifecycle | undefined;
  afterEach(() => life?.reconciler.shutdown({ stopRuntimes: false }));

  it('tells the spawner a user\'s deletion from a server\'s (kubernetes.delete_claims_with_user keeps claims by it)', async () => {
    const stopped = (user: string, name: string): ServerRecord => ({ ...newServerRecord(user, name, T0), version: 1, owner: 'local' });
    const { store, rows } = leftBehind([stopped('ann', ''), stopped('ann', 'lab'), stopped('bob', 'x')]);
    (store.servers as unknown as { delete: (u: string, n: string) => Promise<void> }).delete = (u, n) => Promise.resolve(void rows.delete(`${u}/${n}`));
    const removed: string[] = [];
    const spawner: Spawner = { ...aliveSpawner, removeWorkspace: (s, why) => Promise.resolve(void removed.push(`${s.user}/${s.server}:${why ?? '?'}`)) };
    life = createLifecycle({ store, spawner, clock: { now: () => T0 }, log: silentLogger, profiles: new Set(['default']), defaultProfile: 'default', pollSeconds: 3600, activityFlushMs: 3_600_000 });
    await life.reconciler.init();
    await life.requests.removeUser('ann', 'admin');
    await life.requests.requestStop('bob', 'x', { by: 'bob', reason: 'user', remove: true });
    expect(removed.sort()).toEqual(['ann/:user', 'ann/lab:user', 'bob/x:server']);
  });
});
