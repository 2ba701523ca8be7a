import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { Spawner, SpawnerHandle } from '../core/spawner.js';
import type { Store } from '../core/store.js';
import { toLaunchRecord } from './launch-record.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';

const T0 = 1_800_000_000_000;

/**
 * The server records of a store that other instances write too (lifecycle/ may not import a store
 * implementation; the store contract suite covers those), with the instances alive.
 */
/**
 * The stored records, each stamped when set (and each deletion kept) as migration 012's triggers do, so the
 * store can tell what changed since a mark. `quietly` changes one without a stamp (a row restored from a
 * backup): only a full listing sees that.
 */
class StampedRows extends Map<string, ServerRecord> {
  private stamp = 0;
  private stamps = new Map<string, number>();
  private tombstones = new Map<string, number>();
  private quiet = false;

  override set(key: string, rec: ServerRecord): this {
    super.set(key, rec);
    if (!this.quiet) this.stamps?.set(key, ++this.stamp);
    return this;
  }

  override delete(key: string): boolean {
    if (!this.quiet) this.tombstones.set(key, ++this.stamp);
    return super.delete(key);
  }

  quietly(change: () => void): void {
    this.quiet = true;
    change();
    this.quiet = false;
  }

  mark(): number {
    return this.stamp + 1;
  }

  changes(mark: number) {
    const since = (m: Map<string, number>) => [...m].filter(([, at]) => at >= mark).map(([key]) => key);
    return {
      records: since(this.stamps).flatMap((key) => this.get(key) ?? []),
      deleted: since(this.tombstones)
        .filter((key) => !this.has(key))
        .map((key) => ({ user: key.split('/')[0] as string, name: key.split('/')[1] as string })),
      next: this.mark(),
    };
  }
}

const sharedStore = (records: ServerRecord[], live: string[]) => {
  const rows = new StampedRows();
  for (const r of records) rows.set(`${r.user}/${r.name}`, r);
  const k = (u: string, n: string) => `${u}/${n}`;
  const reads = { listAll: 0, changes: 0 };
  const listeners: Array<(c: { user: string; name: string; version: number | null }) => void> = [];
  const servers = {
    listAll: () => {
      reads.listAll++;
      return Promise.resolve([...rows.values()]);
    },
    changeMark: () => Promise.resolve(rows.mark()),
    changes: (mark: number) => {
      reads.changes++;
      return Promise.resolve(rows.changes(mark));
    },
    get: (u: string, n: string) => Promise.resolve(rows.get(k(u, n))),
    write: (r: ServerRecord) => {
      const cur = rows.get(k(r.user, r.name));
      if ((cur?.version ?? 0) !== r.version - 1) return Promise.resolve(false);
      rows.set(k(r.user, r.name), { ...r, lastActivity: Math.max(r.lastActivity ?? 0, cur?.lastActivity ?? 0) || null });
      return Promise.resolve(true);
    },
    claim: (u: string, n: string, c: { from: string | null; version: number; to: string }) => {
      const cur = rows.get(k(u, n));
      if (!cur || cur.owner !== c.from || cur.version !== c.version) return Promise.resolve(false);
      rows.set(k(u, n), { ...cur, owner: c.to, version: c.version + 1 });
      return Promise.resolve(true);
    },
    noteActivity: (u: string, n: string, at: number) => {
      const cur = rows.get(k(u, n));
      if (cur && (cur.lastActivity ?? 0) < at) rows.set(k(u, n), { ...cur, lastActivity: at });
      return Promise.resolve();
    },
    delete: (u: string, n: string) => Promise.resolve(void rows.delete(k(u, n))),
    watch: (l: (c: { user: string; name: string; version: number | null }) => void) => {
      listeners.push(l);
      return Promise.resolve(() => Promise.resolve());
    },
  };
  /** Another instance's write, announced as PostgreSQL's trigger does. */
  const announce = (u: string, n: string) => {
    for (const l of listeners) l({ user: u, name: n, version: rows.get(k(u, n))?.version ?? null });
  };
  const instances = { heartbeat: () => Promise.resolve(), live: () => Promise.resolve(live) };
  const store = { kind: 'postgres', capabilities: { sharedByInstances: true }, servers, instances, history: { add: () => Promise.resolve(), deleteServer: () => Promise.resolve() } } as unknown as Store;
  return { store, rows, announce, reads };
};

/** A spawner whose runtimes are all alive; it counts what it is asked. */
const countingSpawner = () => {
  const calls = { start: 0, poll: [] as SpawnerHandle[], stop: 0 };
  const spawner: Spawner = {
    kind: 'fake',
    start: () => {
      calls.start++;
      return Promise.reject(new Error('not in this test'));
    },
    poll: (h) => {
      calls.poll.push(h);
      return Promise.resolve({ status: 'running' });
    },
    stop: () => {
      calls.stop++;
      return Promise.resolve();
    },
    logTail: () => Promise.resolve(''),
    removeWorkspace: () => Promise.resolve(),
    rootPid: () => null,
    onExit: () => undefined,
  };
  return { spawner, calls };
};

const handleOf = (who: string) =>
  toLaunchRecord({ handle: { v: 1, kind: 'fake', who }, target: `http://127.0.0.1:1/${who}`, token: 't', readinessPath: 'api', startTimeoutSeconds: 60, startTimeoutKey: 'x' });
const running = (user: string, name: string, owner: string | null, lastActivity: number): ServerRecord => ({
  ...newServerRecord(user, name, T0 - 3_600_000),
  desired: 'running',
  state: 'running',
  handle: handleOf(`${user}/${name}`),
  target: `http://127.0.0.1:1/${user}/${name}`,
  runtimeToken: 't',
  started: T0 - 3_600_000,
  ready: T0 - 3_600_000,
  lastActivity,
  owner,
  version: 3,
});

describe('Lifecycle with other instances on the store', () => {
  let life: Lifecycle | undefined;
  afterEach(() => life?.reconciler.shutdown({ stopRuntimes: false }));
  const open = (store: Store, spawner: Spawner, pollSeconds: number, now = () => T0) =>
    (life = createLifecycle({ store, spawner, clock: { now }, log: silentLogger, profiles: new Set(['default']), defaultProfile: 'default', pollSeconds, activityFlushMs: 3_600_000, instance: 'a', shared: { leaseMs: 15_000 } }));

  it("takes in activity another instance's proxy saw (through the store), and never writes an older one over it", async () => {
    const { store, rows } = sharedStore([running('ann', '', 'a', T0 - 60_000)], ['a', 'b']);
    const l = open(store, countingSpawner().spawner, 0.02);
    await l.reconciler.init();
    // Adopted at start-up: active from then on.
    expect(l.servers.get('ann', '')?.lastActivity).toBe(T0);
    await store.servers.noteActivity('ann', '', T0 + 90_000);
    await expect.poll(() => l.servers.get('ann', '')?.lastActivity).toBe(T0 + 90_000);
    // Its own older sighting changes nothing; a stop it saves keeps the later one too.
    l.servers.touch('ann', '', T0 + 30_000);
    expect(l.servers.get('ann', '')?.lastActivity).toBe(T0 + 90_000);
    await l.requests.requestStop('ann', '', { by: 'ann', reason: 'user' });
    await l.reconciler.shutdown({ stopRuntimes: false });
    life = undefined;
    expect(rows.get('ann/')?.lastActivity).toBe(T0 + 90_000);
  });

  it('shows the servers another live instance creates and deletes, proxies to them, and never polls, starts or stops them', async () => {
    const { store, rows } = sharedStore([], ['a', 'b']);
    const { spawner, calls } = countingSpawner();
    const l = open(store, spawner, 0.02);
    await l.reconciler.init();
    rows.set('bob/x', running('bob', 'x', 'b', T0));
    await expect.poll(() => l.servers.get('bob', 'x')?.state).toBe('running');
    expect(l.servers.resolve('bob', 'x')).toMatchObject({ state: 'running', target: 'http://127.0.0.1:1/bob/x' });
    // Its culler is not shown it either.
    expect(l.owned.all()).toEqual([]);
    rows.delete('bob/x');
    await expect.poll(() => l.servers.get('bob', 'x')).toBeUndefined();
    expect(l.servers.resolve('bob', 'x')).toBeUndefined();
    expect(calls).toEqual({ start: 0, poll: [], stop: 0 });
  });

  it("follows another instance's creates, updates and deletes from what changed since the last look, listing every record only every few minutes", async () => {
    const { store, rows, reads } = sharedStore([running('bob', 'old', 'b', T0)], ['a', 'b']);
    let now = T0;
    const l = open(store, countingSpawner().spawner, 0.02, () => now);
    await l.reconciler.init();
    expect(reads.listAll).toBe(1);
    rows.set('bob/x', running('bob', 'x', 'b', T0));
    await expect.poll(() => l.servers.get('bob', 'x')?.state).toBe('running');
    rows.set('bob/x', { ...(rows.get('bob/x') as ServerRecord), desired: 'stopped', state: 'stopping', version: 4 });
    await expect.poll(() => l.servers.get('bob', 'x')?.state).toBe('stopping');
    rows.delete('bob/x');
    await expect.poll(() => l.servers.get('bob', 'x')).toBeUndefined();
    // Many polls, one listing (at start-up): the rest were reads of what changed.
    expect(reads.listAll).toBe(1);
    expect(reads.changes).toBeGreaterThan(3);
    // What no stamp tells (a row gone without its tombstone) is caught by the listing every few minutes.
    rows.quietly(() => rows.delete('bob/old'));
    const changesBefore = reads.changes;
    await expect.poll(() => reads.changes).toBeGreaterThan(changesBefore + 2);
    expect(l.servers.get('bob', 'old')).toBeDefined();
    now += 300_000;
    await expect.poll(() => l.servers.get('bob', 'old')).toBeUndefined();
    expect(reads.listAll).toBe(2);
  });

  it('takes in a server deleted and created again by another instance between two looks, though its versions started over', async () => {
    const { store, rows } = sharedStore([running('bob', 'x', 'b', T0)], ['a', 'b']);
    const l = open(store, countingSpawner().spawner, 0.02);
    await l.reconciler.init();
    expect(l.servers.get('bob', 'x')?.version).toBe(3);
    rows.delete('bob/x');
    rows.set('bob/x', { ...newServerRecord('bob', 'x', T0 + 5_000), profile: 'gpu', owner: 'b', version: 1 });
    await expect.poll(() => l.servers.get('bob', 'x')?.profile).toBe('gpu');
    expect(l.servers.get('bob', 'x')).toMatchObject({ state: 'stopped', version: 1, created: T0 + 5_000 });
  });

  it('takes in a server created again as soon as the store announces it (version 1 under a later one is not an old notice)', async () => {
    const { store, rows, announce } = sharedStore([running('bob', 'x', 'b', T0)], ['a', 'b']);
    const l = open(store, countingSpawner().spawner, 3600);
    await l.reconciler.init();
    rows.delete('bob/x');
    rows.set('bob/x', { ...newServerRecord('bob', 'x', T0 + 9_000), profile: 'big', owner: 'b', version: 1 });
    announce('bob', 'x');
    await expect.poll(() => l.servers.get('bob', 'x')?.profile).toBe('big');
  });

  it("writes only the desired state on a live instance's server; a request from a stale view gets CONFLICT and changes nothing", async () => {
    const { store, rows } = sharedStore([running('bob', 'x', 'b', T0), running('bob', 'y', 'b', T0)], ['a', 'b']);
    const { spawner, calls } = countingSpawner();
    const l = open(store, spawner, 3600);
    await l.reconciler.init();
    const stopping = await l.requests.requestStop('bob', 'x', { by: 'bob', reason: 'user' });
    expect(stopping).toMatchObject({ owner: 'b', desired: 'stopped', state: 'stopping', requestedBy: 'bob', version: 4 });
    expect(rows.get('bob/x')).toMatchObject({ owner: 'b', state: 'stopping', version: 4 });
    // b wrote y meanwhile, unseen here yet.
    const before = { ...(rows.get('bob/y') as ServerRecord), version: 4, message: 'written by b' };
    rows.set('bob/y', before);
    await expect(l.requests.requestStop('bob', 'y', { by: 'bob', reason: 'user' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(rows.get('bob/y')).toEqual(before);
    // The view is fresh after the conflict: trying again works.
    expect(await l.requests.requestStop('bob', 'y', { by: 'bob', reason: 'user' })).toMatchObject({ state: 'stopping', version: 5 });
    expect(calls).toEqual({ start: 0, poll: [], stop: 0 });
  });

  it("claims a gone instance's servers and adopts them: polled through the stored handle, never started again", async () => {
    // Alone among the live (with several, ownership.test.ts shows how they split the orphans).
    const { store, rows } = sharedStore([running('cat', '', 'dead', T0 - 60_000)], ['a']);
    const { spawner, calls } = countingSpawner();
    const l = open(store, spawner, 3600);
    await l.reconciler.init();
    expect(rows.get('cat/')).toMatchObject({ owner: 'a', version: 4, state: 'running' });
    expect(l.servers.get('cat', '')).toMatchObject({ owner: 'a', state: 'running', lastActivity: T0 });
    expect(calls.start).toBe(0);
    expect(calls.poll).toHaveLength(1);
    expect(calls.poll[0]).toMatchObject({ who: 'cat/' });
    expect(l.owned.all().map((r) => r.user)).toEqual(['cat']);
  });

  it('acts on a desired state written through another instance as soon as the store announces it, without waiting for its poll', async () => {
    const { store, rows, announce } = sharedStore([running('eve', '', 'a', T0)], ['a', 'b']);
    const { spawner, calls } = countingSpawner();
    const l = open(store, spawner, 3600);
    await l.reconciler.init();
    // b's stop request: only the desired state, one version on.
    rows.set('eve/', { ...(rows.get('eve/') as ServerRecord), desired: 'stopped', state: 'stopping', requestedBy: 'eve', stopReason: 'user', version: 4 });
    announce('eve', '');
    await expect.poll(() => rows.get('eve/')?.state).toBe('stopped');
    expect(calls.stop).toBe(1);
    expect(l.servers.get('eve', '')).toMatchObject({ state: 'stopped', requestedBy: 'eve', version: 5 });
    // And a server b creates shows here at once.
    rows.set('fay/', running('fay', '', 'b', T0));
    announce('fay', '');
    await expect.poll(() => l.servers.get('fay', '')?.state).toBe('running');
    expect(calls.start).toBe(0);
  });
});
