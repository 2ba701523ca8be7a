import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEventSource } from '../agent/local-source.js';
import { agentOnFakeMachine } from '../agent/testing.js';
import type { EventSource } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { Monitor, type MonitorSettings } from './monitor.js';

const settings: MonitorSettings = {
  intervalSeconds: 10,
  pullEveryMs: 1000,
  batchSize: 3,
  concurrency: 4,
  leaseMs: 20_000,
  timeoutMs: 1000,
  retentionDays: { raw: 2, '1m': 30, '1h': 400, '1d': 1100 },
  eventsRetentionDays: 2,
};

describe('Monitor', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const setup = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-monitor-'));
    const store = createSqliteStore(join(dir, 'hub.sqlite'));
    await store.migrate();
    const f = agentOnFakeMachine();
    cleanups.push(async () => {
      await f.dispose();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const clock = { now: () => f.mc.m.now };
    const monitor = (instance: string, o: { local?: boolean; connect?: () => EventSource; store?: Store; log?: Logger } = {}) =>
      new Monitor({
        store: o.store ?? store,
        clock,
        log: o.log ?? silentLogger,
        instance,
        settings,
        connect: o.connect ?? (() => new LocalEventSource(f.agent)),
        local: o.local ? { id: 'local', source: new LocalEventSource(f.agent) } : undefined,
      });
    return { store, f, monitor };
  };
  const offsets = async (store: Store, agent: string) => (await store.events.ofAgent(agent, 0, 1e9)).map((s) => s.event.offset);

  it('stores every event of the in-process agent once, in batches, and keeps the latest sweep', async () => {
    const { store, f, monitor } = await setup();
    await store.agents.register({ id: 'local', url: null, secret: null, at: 0 });
    const m = monitor('hub-a', { local: true });
    await m.leaseTick();
    await f.sweeps(3);
    await m.pullNow();
    const head = f.agent.read(0, 0).head;
    expect(await offsets(store, 'local')).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(await store.agents.get('local')).toMatchObject({ storedOffset: head, headOffset: head, leaseOwner: 'hub-a' });
    const raw = await store.usage.query({ resolution: 'raw', from: 0, to: 1e13, user: 'ann', kernels: 'runtime' });
    expect(raw.length).toBe(3);
    expect(m.latestOf('ann', '')?.samples.map((s) => s.kernel)).toEqual([null, 'aaaaaaaa-1111']);
    expect(m.latestOf('ann', '')?.processes.length).toBe(2);
    expect(m.latestOf('ann', '')?.notebooks).toEqual({ 'aaaaaaaa-1111': ['a.ipynb'] });
    expect(m.stats).toMatchObject({ sweeps: 3, errors: 0, intervalSeconds: 10 });
    // A restarted hub (a new monitor) continues from the stored offset: nothing twice.
    await m.stop();
    await f.sweeps(1);
    const again = monitor('hub-a', { local: true });
    await again.leaseTick();
    await again.pullNow();
    expect(await offsets(store, 'local')).toEqual(Array.from({ length: f.agent.read(0, 0).head }, (_, i) => i + 1));
    await again.stop();
  });

  it('waits longer and longer for a failing store, says so once (then at most once a minute), and once when it works again, losing nothing', async () => {
    const { store, f, monitor } = await setup();
    await store.agents.register({ id: 'local', url: null, secret: null, at: 0 });
    let failing = false;
    let tries = 0;
    const events = Object.assign(Object.create(store.events) as Store['events'], {
      store: (b: Parameters<Store['events']['store']>[0]) => {
        tries++;
        return failing ? Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) : store.events.store(b);
      },
    });
    const logged: string[] = [];
    const log: Logger = { debug() {}, info: (_o, msg) => void logged.push(`info ${msg}`), warn: (_o, msg) => void logged.push(`warn ${msg}`), error: (_o, msg) => void logged.push(`error ${msg}`) };
    const m = monitor('hub-a', { local: true, store: { ...store, events }, log });
    await m.leaseTick();
    await f.agent.tick();
    await m.pullNow();
    logged.length = 0;
    failing = true;
    // Five minutes of a store that fails: the agent sweeps every 10 s (each sweep asks for a pull) and the pull timer ticks every second.
    for (let s = 0; s < 300; s++) {
      if (s % 10 === 0) await f.agent.tick();
      f.mc.m.now += 1000;
      await m.pullNow();
    }
    // Every second without a wait would be 300 tries and as many lines in the log.
    expect(tries).toBeGreaterThan(2);
    expect(tries).toBeLessThanOrEqual(20);
    expect(logged[0]).toMatch(/^error monitor: cannot write to the store/);
    expect(logged.length).toBeLessThanOrEqual(6);
    expect(logged.slice(1).every((l) => l === 'warn monitor: the store still fails')).toBe(true);
    logged.length = 0;
    failing = false;
    f.mc.m.now += 60_000;
    await m.pullNow();
    await m.pullNow();
    expect(logged).toEqual(['info monitor: the store works again']);
    // Nothing was lost or stored twice while it failed.
    const head = f.agent.read(0, 0).head;
    expect(await offsets(store, 'local')).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    await m.stop();
  });

  it('shows an unreachable agent as such, its runtimes unknown, and catches up when it answers again', async () => {
    const { store, f, monitor } = await setup();
    await store.agents.register({ id: 'node', url: 'http://agent', secret: 's', at: 0 });
    let up = true;
    const real = new LocalEventSource(f.agent);
    const flaky: EventSource = {
      fetch: (a, l, k) => (up ? real.fetch(a, l, k) : Promise.reject(new Error('connect ECONNREFUSED'))),
      processes: () => real.processes(),
      close: async () => undefined,
    };
    const m = monitor('hub-a', { connect: () => flaky });
    await m.leaseTick();
    await f.sweeps(2);
    await m.pullNow();
    expect(m.pulling('node')?.runtimes).toEqual([{ user: 'ann', server: '', monitoring: 'ok' }]);
    up = false;
    await f.sweeps(2);
    await m.pullNow();
    expect(m.pulling('node')?.runtimes).toEqual([{ user: 'ann', server: '', monitoring: 'unknown' }]);
    expect(m.latestOf('ann', '')).toBeUndefined();
    expect((await store.agents.get('node'))?.lastError).toMatch(/ECONNREFUSED/);
    up = true;
    f.mc.m.now += 60_000; // past the back-off
    await m.pullNow();
    expect((await store.agents.get('node'))?.lastError).toBeNull();
    expect(await offsets(store, 'node')).toEqual(Array.from({ length: f.agent.read(0, 0).head }, (_, i) => i + 1));
    expect(m.latestOf('ann', '')).toBeDefined();
    await m.stop();
  });

  it('splits agents between instances by lease, and takes a dead instance’s over once its lease lapses, with no duplicate', async () => {
    const { store, f, monitor } = await setup();
    await store.agents.register({ id: 'node', url: 'http://agent', secret: 's', at: 0 });
    const a = monitor('hub-a');
    const b = monitor('hub-b');
    // The hub's heartbeat keeper (hub/heartbeat.ts) says who is alive; here the test beats for each hub.
    const beat = (...hubs: string[]) => Promise.all(hubs.map((h) => store.instances.heartbeat(h, f.mc.m.now)));
    await beat('hub-a', 'hub-b');
    await a.leaseTick();
    await b.leaseTick();
    expect((await store.agents.get('node'))?.leaseOwner).toBe('hub-a');
    await f.sweeps(2);
    await Promise.all([a.pullNow(), b.pullNow()]);
    expect(b.pulling('node')).toBeUndefined();
    // a dies (no more renewals); b takes over within the lease time, from the stored offset.
    const diedAt = f.mc.m.now;
    await f.sweeps(1);
    for (let t = diedAt; t <= diedAt + settings.leaseMs; t += settings.leaseMs / 4) {
      f.mc.m.now = t;
      await beat('hub-b');
      await b.leaseTick();
      if (b.pulling('node')) break;
    }
    expect(b.pulling('node')).toBeDefined();
    expect(f.mc.m.now - diedAt).toBeLessThanOrEqual(settings.leaseMs);
    await b.pullNow();
    // a, not yet aware, tries again: the store refuses its batch; a lets the agent go.
    await f.sweeps(1);
    await a.pullNow();
    await b.pullNow();
    expect(await offsets(store, 'node')).toEqual(Array.from({ length: f.agent.read(0, 0).head }, (_, i) => i + 1));
    await a.leaseTick();
    expect(a.pulling('node')).toBeUndefined();
    await a.stop();
    await b.stop();
  });
});
