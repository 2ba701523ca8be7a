import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { CullTarget } from '../core/culling.js';
import { silentLogger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { RunningRuntime } from '../core/usage.js';
import { Culler } from './culler.js';
import type { KernelSeen } from './evidence.js';
import { policies } from './policy.js';
import { ActivityProbe } from './probe.js';

const T0 = 1_800_000_000_000;

/** A lifecycle stand-in: records in memory, stops applied at once, activity kept like Lifecycle.touch. */
class FakeLifecycle implements CullTarget {
  readonly recs = new Map<string, ServerRecord>();
  stops: Array<{ user: string; name: string; reason: string; by: string }> = [];
  /** Runs inside requestStop before onlyIf is checked: activity arriving while the stop waits for the lock. */
  beforeLock: () => void = () => undefined;
  add(user: string, name: string, profile = 'default'): void {
    this.recs.set(`${user}/${name}`, { ...newServerRecord(user, name, Date.now()), profile, desired: 'running', state: 'running', started: Date.now(), lastActivity: Date.now(), target: 'http://127.0.0.1:1', runtimeToken: 't' });
  }
  all() {
    return [...this.recs.values()];
  }
  running(): RunningRuntime[] {
    return this.all().map((r) => ({ user: r.user, server: r.name, profile: r.profile, rootPid: 10, target: 'http://127.0.0.1:1', baseUrl: '/', token: 't' }));
  }
  touch(user: string, name: string, at: number) {
    const r = this.recs.get(`${user}/${name}`);
    if (r && (r.lastActivity ?? 0) < at) r.lastActivity = at;
  }
  async requestStop(user: string, name: string, o: { by: string; reason: ServerRecord['stopReason'] & string; onlyIf?: (r: ServerRecord) => boolean }) {
    this.beforeLock();
    const r = this.recs.get(`${user}/${name}`);
    if (!r || (o.onlyIf && !o.onlyIf(r))) return r;
    this.stops.push({ user, name, reason: o.reason, by: o.by });
    this.recs.set(`${user}/${name}`, { ...r, state: 'stopped', stopReason: o.reason });
    return r;
  }
}

describe('the culler loop (fake clock and timers)', () => {
  let life: FakeLifecycle;
  let kernels: Map<string, KernelSeen[]>;
  let shut: string[];

  const culler = (culling: Record<string, unknown>, profiles: Record<string, unknown> = {}) => {
    const c = loadConfig({ env: {}, overrides: { culling, profiles, monitoring: { interval_seconds: 2 } } });
    const policyFor = policies(c.culling, c.profiles);
    const probe = new ActivityProbe({
      runtimes: life,
      usage: null,
      sink: life,
      lastActivityOf: (u, s) => life.recs.get(`${u}/${s}`)?.lastActivity ?? null,
      policyFor,
      clock: { now: () => Date.now() },
      log: silentLogger,
      kernelsOf: async (rt) => {
        return kernels.get(`${rt.user}/${rt.server}`) ?? [];
      },
    });
    const shutdownKernel = async (rt: RunningRuntime, id: string) => {
      shut.push(`${rt.user}/${rt.server}/${id}`);
      kernels.set(`${rt.user}/${rt.server}`, (kernels.get(`${rt.user}/${rt.server}`) ?? []).filter((k) => k.id !== id));
    };
    return new Culler({ target: life, runtimes: life, probe, policyFor, clock: { now: () => Date.now() }, log: silentLogger, everySeconds: c.culling.every_seconds, probeSeconds: 2, shutdownKernel });
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    life = new FakeLifecycle();
    kernels = new Map();
    shut = [];
  });
  afterEach(() => vi.useRealTimers());

  it('culling.every_seconds: judges that often, so an idle server stops within one period after its deadline', async () => {
    life.add('alice', '');
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(19_999);
    expect(life.stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(5_001);
    expect(life.stops).toEqual([{ user: 'alice', name: '', reason: 'idle', by: 'culler' }]);
    await c.stop();
  });

  it('a kernel busy for a minute keeps its server; once the cell ends, the idle clock starts from its end', async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(61_000);
    expect(life.stops).toEqual([]);
    // Last seen busy at 60 s; the cell ended at 60.5 s.
    const ended = Date.now() - 500;
    kernels.set('alice/', [{ id: 'k', executionState: 'idle', lastActivity: ended }]);
    await vi.advanceTimersByTimeAsync(18_000);
    expect(life.stops).toEqual([]);
    expect(life.recs.get('alice/')?.lastActivity).toBe(ended);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(life.stops).toHaveLength(1);
    await c.stop();
  });

  it('looks again right before a stop: a kernel that got busy since the last sweep saves its server', async () => {
    life.add('alice', '');
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    await c.probeNow();
    await vi.advanceTimersByTimeAsync(20_500);
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: Date.now() }]);
    await vi.advanceTimersByTimeAsync(500);
    // Only judged (no sweep since 0 s): by what was gathered it is idle.
    await c.judgeNow();
    expect(life.stops).toEqual([]);
    expect(life.recs.get('alice/')?.lastActivity).toBe(T0 + 21_000);
  });

  it('activity that arrives while the stop waits for the lock wins (onlyIf is re-checked)', async () => {
    life.add('alice', '');
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    await vi.advanceTimersByTimeAsync(21_000);
    life.beforeLock = () => life.touch('alice', '', Date.now());
    await c.judgeNow();
    expect(life.stops).toEqual([]);
  });

  it('culling.max_age_seconds stops a busy server with reason max_age', async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5, max_age_seconds: 30 });
    c.start();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(life.stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(life.stops).toEqual([{ user: 'alice', name: '', reason: 'max_age', by: 'culler' }]);
    await c.stop();
  });

  it('culling.exempt_users and culling.enabled: nothing is stopped', async () => {
    life.add('root', '');
    life.add('alice', 'x');
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5, exempt_users: ['root'] });
    await vi.advanceTimersByTimeAsync(60_000);
    await c.judgeNow();
    expect(life.stops.map((s) => s.user)).toEqual(['alice']);
    const off = culler({ enabled: false });
    life.add('bob', '');
    await vi.advanceTimersByTimeAsync(1e7);
    await off.judgeNow();
    expect(life.stops.map((s) => s.user)).toEqual(['alice']);
  });

  it('culling.kernel_idle_timeout_seconds shuts idle kernels and leaves the server and busy kernels running', async () => {
    life.add('alice', '');
    const c = culler({ idle_timeout_seconds: 3600, every_seconds: 5, kernel_idle_timeout_seconds: 20 });
    kernels.set('alice/', [
      { id: 'idle', executionState: 'idle', lastActivity: T0 },
      { id: 'busy', executionState: 'busy', lastActivity: T0 },
    ]);
    c.start();
    await vi.advanceTimersByTimeAsync(19_000);
    expect(shut).toEqual([]);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(shut).toEqual(['alice//idle']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(shut).toEqual(['alice//idle']);
    expect(life.stops).toEqual([]);
    await c.stop();
  });

  it('reports when a server will be culled, and null for one it will not', async () => {
    life.add('alice', '');
    life.add('root', '');
    const c = culler({ idle_timeout_seconds: 20, warn_seconds: 15, exempt_users: ['root'] });
    expect(c.scheduleOf(life.recs.get('alice/') as ServerRecord)).toEqual({ cullAt: T0 + 20_000, warnAt: T0 + 5_000, reason: 'idle' });
    expect(c.scheduleOf(life.recs.get('root/') as ServerRecord)).toBeNull();
  });
});
