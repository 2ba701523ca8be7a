import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { CullTarget } from '../core/culling.js';
import { silentLogger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { RunningRuntime, RuntimeSnapshot, UsageSource } from '../core/usage.js';
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

/**
 * A sampler stand-in on the fake clock: every interval, each runtime's CPU counter grows by the cores it is
 * given (the server process's own CPU apart, in `serverCores`). A new series starts fresh, as after a restart.
 */
class FakeUsage implements UsageSource {
  readonly cores = new Map<string, number>();
  readonly serverCores = new Map<string, number>();
  private readonly counters = new Map<string, { t: number; total: number; root: number }>();
  private snaps = new Map<string, RuntimeSnapshot>();
  private timer: NodeJS.Timeout | undefined;
  readonly stats;
  constructor(
    private readonly life: FakeLifecycle,
    intervalSeconds: number,
  ) {
    this.stats = { intervalSeconds, lastSweepSeconds: null, lastSweepDurationSeconds: null, sweeps: 0, errors: 0 };
  }
  start() {
    this.timer = setInterval(() => this.sweep(), this.stats.intervalSeconds * 1000);
    this.sweep();
  }
  stop() {
    clearInterval(this.timer);
  }
  /** The hub restarted: counters start over (fresh) at the next sweep. */
  restart() {
    this.counters.clear();
    this.snaps.clear();
  }
  sweep() {
    const t = Date.now();
    for (const rt of this.life.running()) {
      const key = `${rt.user}/${rt.server}`;
      const prev = this.counters.get(key);
      const dt = prev ? (t - prev.t) / 1000 : 0;
      const root = (prev?.root ?? 0) + dt * (this.serverCores.get(key) ?? 0);
      const total = (prev?.total ?? 0) + dt * ((this.cores.get(key) ?? 0) + (this.serverCores.get(key) ?? 0));
      this.counters.set(key, { t, total, root });
      this.snaps.set(key, {
        t, user: rt.user, server: rt.server, processes: [], notebooks: {}, fresh: prev ? [] : [''], rootCpuSeconds: root,
        samples: [{ t, user: rt.user, server: rt.server, kernel: null, cpuSecondsTotal: total, cpuSecondsFrom: total, memoryBytes: 0 }],
      });
    }
  }
  latest() {
    return [...this.snaps.values()];
  }
  latestOf(user: string, server: string) {
    return this.snaps.get(`${user}/${server}`);
  }
}

describe('the culler loop (fake clock and timers)', () => {
  let life: FakeLifecycle;
  let kernels: Map<string, KernelSeen[]>;
  /** Runtimes whose /api/kernels fails (a timeout, an error). */
  let failing: Set<string>;
  let shut: string[];
  /** Kernels the proxy saw running a request (the recorder's view), by runtime. */
  let running: Map<string, Set<string>>;

  const culler = (
    culling: Record<string, unknown>,
    profiles: Record<string, unknown> = {},
    o: { usage?: UsageSource; interval?: number; shutdown?: (rt: RunningRuntime, id: string) => Promise<void> } = {},
  ) => {
    const interval = o.interval ?? 2;
    const c = loadConfig({ env: {}, overrides: { culling: { warn_seconds: 5, ...culling }, profiles, monitoring: { interval_seconds: interval } } });
    const policyFor = policies(c.culling, c.profiles);
    const probe = new ActivityProbe({
      runtimes: life,
      usage: o.usage ?? null,
      sink: life,
      lastActivityOf: (u, s) => life.recs.get(`${u}/${s}`)?.lastActivity ?? null,
      policyFor,
      clock: { now: () => Date.now() },
      log: silentLogger,
      kernelsOf: async (rt) => {
        if (failing.has(`${rt.user}/${rt.server}`)) throw new Error('GET api/kernels: timeout');
        return kernels.get(`${rt.user}/${rt.server}`) ?? [];
      },
      runningKernels: (u, s) => running.get(`${u}/${s}`) ?? new Set(),
    });
    const shutdownKernel = async (rt: RunningRuntime, id: string) => {
      shut.push(`${rt.user}/${rt.server}/${id}`);
      kernels.set(`${rt.user}/${rt.server}`, (kernels.get(`${rt.user}/${rt.server}`) ?? []).filter((k) => k.id !== id));
    };
    return new Culler({ target: life, runtimes: life, probe, policyFor, clock: { now: () => Date.now() }, log: silentLogger, everySeconds: c.culling.every_seconds, probeSeconds: interval, shutdownKernel: o.shutdown ?? shutdownKernel });
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    life = new FakeLifecycle();
    kernels = new Map();
    failing = new Set();
    shut = [];
    running = new Map();
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

  it('a kernel running a cell the proxy saw sent is busy even when its runtime reports it idle (a control-channel kernel_info in the middle of the cell)', async () => {
    life.add('alice', '');
    const c = culler({ idle_timeout_seconds: 30, every_seconds: 5, kernel_idle_timeout_seconds: 20 });
    kernels.set('alice/', [{ id: 'sleeping', executionState: 'idle', lastActivity: T0 }]);
    running.set('alice/', new Set(['sleeping']));
    c.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(shut).toEqual([]);
    expect(life.stops).toEqual([]);
    // The cell ended: from then on the kernel and the server time out as usual.
    running.set('alice/', new Set());
    await vi.advanceTimersByTimeAsync(40_000);
    expect(shut).toEqual(['alice//sleeping']);
    expect(life.stops.map((x) => x.reason)).toEqual(['idle']);
    await c.stop();
  });

  it('reports when a server will be culled, and null for one it will not', async () => {
    life.add('alice', '');
    life.add('root', '');
    const c = culler({ idle_timeout_seconds: 20, warn_seconds: 15, exempt_users: ['root'] });
    expect(c.scheduleOf(life.recs.get('alice/') as ServerRecord)).toEqual({ cullAt: T0 + 20_000, warnAt: T0 + 5_000, reason: 'idle' });
    expect(c.scheduleOf(life.recs.get('root/') as ServerRecord)).toBeNull();
  });

  it("a kernel last seen busy keeps its server while the runtime's /api/kernels does not answer (a sleeping cell)", async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(5_000);
    failing.add('alice/');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(life.stops).toEqual([]);
    expect(life.recs.get('alice/')?.lastActivity).toBeGreaterThanOrEqual(Date.now() - 2_000);
    await c.stop();
  });

  it('an unreachable runtime last seen idle is stopped once that look is a whole timeout old, not before', async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'idle', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // The last look that answered was at 10 s; from 11 s on, none does. Idle by the record at 20 s.
    await vi.advanceTimersByTimeAsync(1_000);
    failing.add('alice/');
    await vi.advanceTimersByTimeAsync(18_000);
    expect(life.stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(life.stops).toEqual([{ user: 'alice', name: '', reason: 'idle', by: 'culler' }]);
    await c.stop();
  });

  it('a failed look is not a look: the end of a cell is still found after the runtime answers again', async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(30_000);
    failing.add('alice/');
    // The cell ends while the runtime does not answer; its last message says when.
    const ended = Date.now() + 3_000;
    kernels.set('alice/', [{ id: 'k', executionState: 'idle', lastActivity: ended }]);
    await vi.advanceTimersByTimeAsync(10_000);
    failing.delete('alice/');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(life.recs.get('alice/')?.lastActivity).toBeGreaterThanOrEqual(ended);
    await vi.advanceTimersByTimeAsync(ended + 19_000 - Date.now());
    expect(life.stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(life.stops).toHaveLength(1);
    await c.stop();
  });

  it('culling.busy_cpu_cores with a sampler: a runtime using CPU with idle kernels is kept; its own server process busy is not enough', async () => {
    life.add('alice', '');
    life.add('bob', '');
    const usage = new FakeUsage(life, 2);
    usage.cores.set('alice/', 0.5);
    usage.serverCores.set('bob/', 1);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 }, {}, { usage });
    usage.start();
    c.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(life.stops.map((s) => s.user)).toEqual(['bob']);
    // The background work ends at 60 s: stopped 20-25 s later.
    usage.cores.set('alice/', 0);
    await vi.advanceTimersByTimeAsync(19_000);
    expect(life.stops.map((s) => s.user)).toEqual(['bob']);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(life.stops.map((s) => s.user)).toEqual(['bob', 'alice']);
    usage.stop();
    await c.stop();
  });

  it('a stale CPU reading is unknown, not idle: a runtime last seen busy is not stopped while the sampler is stuck', async () => {
    life.add('alice', '');
    const usage = new FakeUsage(life, 2);
    usage.cores.set('alice/', 0.5);
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 }, {}, { usage });
    usage.start();
    c.start();
    await vi.advanceTimersByTimeAsync(30_000);
    // The sampler stops (stuck): its last reading goes stale.
    usage.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(life.stops).toEqual([]);
    await c.stop();
  });

  it('after a restart the first CPU reading tells nothing (its counter starts there): no idle stop on it', async () => {
    life.add('alice', '');
    const usage = new FakeUsage(life, 2);
    usage.cores.set('alice/', 1);
    // Activity recorded long ago, as a hub restarted without Lifecycle's restart grant would have it.
    await vi.advanceTimersByTimeAsync(60_000);
    usage.start();
    const c = culler({ idle_timeout_seconds: 20, every_seconds: 5 }, {}, { usage });
    await c.probeNow();
    await c.judgeNow();
    expect(life.stops).toEqual([]);
    // One interval later the counter has moved: busy, and active now.
    await vi.advanceTimersByTimeAsync(2_000);
    await c.probeNow();
    expect(life.recs.get('alice/')?.lastActivity).toBe(Date.now());
    usage.stop();
  });

  it('culling.every_seconds below monitoring.interval_seconds: judged every second on looks every 5 s, a busy kernel is still kept', async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'k', executionState: 'busy', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 10, every_seconds: 1 }, {}, { interval: 5 });
    c.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(life.stops).toEqual([]);
    const ended = Date.now();
    kernels.set('alice/', [{ id: 'k', executionState: 'idle', lastActivity: ended }]);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(life.stops).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(life.stops).toHaveLength(1);
    await c.stop();
  });

  it('kernel culling looks at each kernel again right before shutting it down: one that started a cell meanwhile is spared', async () => {
    life.add('alice', '');
    kernels.set('alice/', [
      { id: 'a', executionState: 'idle', lastActivity: T0 },
      { id: 'b', executionState: 'idle', lastActivity: T0 },
    ]);
    // Shutting 'a' down takes 3 s, during which 'b' starts a cell.
    const slow = async (rt: RunningRuntime, id: string) => {
      await new Promise((r) => setTimeout(r, 3_000));
      if (id === 'a') kernels.set('alice/', [{ id: 'b', executionState: 'busy', lastActivity: Date.now() }]);
      shut.push(`${rt.user}/${rt.server}/${id}`);
    };
    const c = culler({ idle_timeout_seconds: 3600, every_seconds: 5, kernel_idle_timeout_seconds: 20 }, {}, { shutdown: slow });
    c.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(shut).toEqual(['alice//a']);
    await c.stop();
  });

  it("kernel culling shuts nothing while the runtime's kernels cannot be read", async () => {
    life.add('alice', '');
    kernels.set('alice/', [{ id: 'a', executionState: 'idle', lastActivity: T0 }]);
    const c = culler({ idle_timeout_seconds: 3600, every_seconds: 5, kernel_idle_timeout_seconds: 20 });
    c.start();
    await vi.advanceTimersByTimeAsync(5_000);
    failing.add('alice/');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(shut).toEqual([]);
    await c.stop();
  });
});
