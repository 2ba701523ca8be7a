import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import { runtimeKey, type AgentStats, type RuntimeKey, type RuntimeProcesses, type SeedSource } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { KernelReading, RuntimeProcess, SignalName, SignalOutcome } from '../core/process-door.js';
import type { RuntimeSnapshot } from '../core/usage.js';
import { sweepEvents, type Reported } from './changes.js';
import type { FoundRuntime, KnownRoot, RuntimeApi } from './finder.js';
import { rootOfFound, type Root, type RuntimeInsides } from './insides.js';
import { LastLogged } from './last-counters.js';
import type { EventLog, LogRead } from './log/event-log.js';
import { NotebookTracker, type NotebooksOf } from './notebooks.js';
import type { RuntimePod, RuntimePods } from './pods.js';
import type { Continuation, Sweeper } from './sweep.js';

/** What the agent learns from its hub (at registration), read at every sweep. */
export interface AgentSettings {
  /** The hub whose runtimes this agent follows (NBHUB_HUB); null until known: nothing is sampled. */
  hubId: string | null;
  intervalSeconds: number;
  match: string | null;
}

export interface AgentOptions {
  log: EventLog;
  sweeper: Sweeper;
  seeds: SeedSource;
  notebooksOf: NotebooksOf;
  clock: Clock;
  logger: Logger;
  settings: () => AgentSettings;
  /** Runtimes whose roots the caller knows (the in-process agent: the hub's own). */
  known?: () => KnownRoot[];
  /**
   * How to reach the API of a runtime whose marker gives none (one with nbhub's identity provider holds only a
   * hash): `nbhub agent` asks through its hub's proxy, with its admin token; absent: its notebooks stay unnamed.
   */
  viaHub?: (r: { user: string; server: string }) => RuntimeApi | null;
  /** Node mode: the runtime pods on this node, whose processes are found by cgroup (absent: by marker). */
  pods?: RuntimePods;
  /** Where what was reported survives a restart (so a restart does not announce every runtime again). */
  reported: { load(): Reported; save(r: Reported): void };
  seedTimeoutMs?: number;
  /** Reads and signals the runtimes' processes now (the process door), on this machine's /proc. */
  insides: RuntimeInsides;
}

/**
 * The agent (DESIGN.md idea 7): every interval, one sweep of the runtimes on this machine, whose events
 * go to the durable log before anyone can read them. The log is read by the hub (over HTTP, or in
 * process for the embedded agent) from the offset it stored last.
 */
export class Agent {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private reported: Reported;
  private readonly last: LastLogged;
  private readonly notebooks: NotebookTracker;
  private lastFound: FoundRuntime[] = [];
  private latestProcesses: RuntimeProcesses[] = [];
  /** Each runtime's root, from the last sweep or a look since (by `user/server`). */
  private roots = new Map<string, Root>();
  private readonly insides: RuntimeInsides;
  private warnedNoHub = false;
  private readonly appended: Array<() => void> = [];
  readonly stats: AgentStats;

  constructor(private readonly o: AgentOptions) {
    this.reported = o.reported.load();
    this.last = LastLogged.fromLog(o.log);
    this.notebooks = new NotebookTracker(o.notebooksOf, o.logger);
    this.notebooks.preload(Object.fromEntries(Object.entries(this.reported).map(([k, r]) => [k, r.kernels])));
    this.insides = o.insides;
    this.stats = { intervalSeconds: o.settings().intervalSeconds, sweeps: 0, errors: 0, lastSweep: null, lastSweepDurationMs: null };
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      const started = this.o.clock.now();
      void this.tick().finally(() => {
        if (this.stopped) return;
        const every = this.o.settings().intervalSeconds * 1000;
        this.timer = setTimeout(loop, Math.max(0, every - (this.o.clock.now() - started)));
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.o.sweeper.close();
  }

  /** Events after `after` (the hub stored up to `ack`, default `after`: the log may trim that). */
  read(after: number, limit: number, ack = after): LogRead & { stats: AgentStats } {
    this.o.log.ack(ack);
    return { ...this.o.log.read(after, limit), stats: { ...this.stats } };
  }

  processes(): RuntimeProcesses[] {
    return this.latestProcesses;
  }

  // ---- the process door (DESIGN.md idea 8): the in-process door and the agent's API both come here ----

  /** A kernel's reading now; undefined when the runtime or the kernel is not found. */
  readKernel(rt: RuntimeKey, kernelId: string): KernelReading | undefined {
    const root = this.rootOf(rt, false);
    if (!root) return undefined;
    const r = this.insides.readKernel(root, kernelId);
    if (r || this.insides.alive(root)) return r;
    // The root remembered is gone (the runtime restarted since the last sweep): look for the new one.
    const again = this.rootOf(rt, true);
    return again ? this.insides.readKernel(again, kernelId) : undefined;
  }

  forgetKernel(rt: RuntimeKey, kernelId: string): void {
    const root = this.roots.get(runtimeKey(rt));
    if (root) this.insides.forgetKernel(root, kernelId);
  }

  /**
   * The runtime's processes with their CPU and memory now (a rate since a reading 1 to 5 s old, not the
   * last sweep's); undefined when this agent does not find it.
   */
  async runtimeProcesses(rt: RuntimeKey): Promise<RuntimeProcess[] | undefined> {
    const root = this.rootOf(rt, 'fresh');
    return root ? this.insides.processes(root) : undefined;
  }

  /** Whether this agent finds the runtime now. */
  follows(rt: RuntimeKey): boolean {
    return this.rootOf(rt, true) !== undefined;
  }

  signal(rt: RuntimeKey, pid: number, signal: SignalName, started?: number): SignalOutcome {
    const root = this.rootOf(rt, 'fresh');
    return root ? this.insides.signal(root, pid, signal, started) : 'no-such-runtime';
  }

  /**
   * The runtime's root: as the last sweep found it (checked to be alive when `check`), else looked for now
   * among this hub's marked runtimes and the caller's known roots, as a sweep would. 'fresh' always looks:
   * a named app started since the last sweep is one of the runtime's roots (a process list and a signal
   * must see it at once).
   */
  private rootOf(rt: RuntimeKey, check: boolean | 'fresh'): Root | undefined {
    const key = runtimeKey(rt);
    const hit = this.roots.get(key);
    if (hit && check !== 'fresh' && (!check || this.insides.alive(hit))) return hit;
    const s = this.o.settings();
    const found = this.insides.find({ hubId: s.hubId, match: s.match === null ? null : new RegExp(s.match), known: this.o.known?.() ?? [], pods: this.podsNow() });
    for (const f of found) this.roots.set(runtimeKey(f), rootOfFound(f));
    if (!found.some((f) => runtimeKey(f) === key)) this.roots.delete(key);
    return this.roots.get(key);
  }

  /** Node mode: the pods now (none before the first list); else null (runtimes found by marker). */
  private podsNow(): RuntimePod[] | null {
    return this.o.pods ? (this.o.pods.pods() ?? []) : null;
  }

  /** Called after each sweep's events are in the log. */
  onAppend(listener: () => void): void {
    this.appended.push(listener);
  }

  /** One sweep; one at a time. */
  tick(): Promise<void> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    const settings = this.o.settings();
    this.stats.intervalSeconds = settings.intervalSeconds;
    if (settings.hubId === null) {
      if (!this.warnedNoHub) this.o.logger.warn({}, 'agent: not registered with a hub yet; sampling starts once it is');
      this.warnedNoHub = true;
      return;
    }
    // Before the node's pods are first listed, a sweep would take every runtime reported so far for gone.
    if (this.o.pods && this.o.pods.pods() === null) return;
    const started = performance.now();
    try {
      const kernelsOf = (key: string) => Object.keys(this.reported[key]?.kernels ?? {});
      await this.notebooks.refresh(this.lastFound.map((r) => ({ key: `${r.user}/${r.server}`, api: r.api ?? this.o.viaHub?.(r) ?? null, kernels: kernelsOf(`${r.user}/${r.server}`) })));
      const res = await this.o.sweeper.sweep({ hubId: settings.hubId, match: settings.match, known: this.o.known?.() ?? [], pods: this.podsNow(), notebooks: this.notebooks.all() });
      // Each step of handling a big sweep is tens of milliseconds: the event loop (the hub's) gets a turn between them.
      await yieldLoop();
      const snapshots = await this.continueFresh(res.snapshots);
      this.lastFound = res.found;
      this.roots = new Map(res.found.map((f) => [runtimeKey(f), rootOfFound(f)]));
      const foundKeys = new Set(res.found.map((r) => `${r.user}/${r.server}`));
      this.notebooks.retain(foundKeys);
      const { events, after } = sweepEvents(this.reported, snapshots, foundKeys, res.t);
      await yieldLoop();
      await this.o.log.append(events);
      for (const e of events) this.last.note(e);
      this.last.prune(res.t);
      if (events.some((e) => e.type !== 'sample')) this.o.reported.save(after);
      this.reported = after;
      this.latestProcesses = snapshots.map((s) => ({ user: s.user, server: s.server, t: s.t, processes: s.processes }));
      this.stats.sweeps++;
      this.stats.lastSweep = res.t;
      for (const l of this.appended) l();
    } catch (err) {
      this.stats.errors++;
      this.o.logger.error({ err }, 'agent: sweep failed');
    } finally {
      this.stats.lastSweepDurationMs = performance.now() - started;
    }
  }

  /**
   * Series the sampler met for the first time go on from their last counter: this agent's own last logged
   * one when it has logged the runtime, else the hub's store (a series no one stored starts from zero).
   * While the hub cannot answer, such a runtime is not logged: the sampler forgets it and meets it again.
   */
  private async continueFresh(snapshots: RuntimeSnapshot[]): Promise<RuntimeSnapshot[]> {
    const fresh = snapshots.filter((s) => s.fresh.length > 0);
    if (fresh.length === 0) return snapshots;
    const items: Continuation[] = [];
    const ask: Array<RuntimeKey & { kernels: string[] }> = [];
    for (const s of fresh) {
      const mine = this.last.get(`${s.user}/${s.server}`);
      if (!mine) {
        ask.push({ user: s.user, server: s.server, kernels: s.fresh });
        continue;
      }
      for (const kernel of s.fresh) {
        const last = mine.get(kernel);
        if (last) items.push({ user: s.user, server: s.server, kernel, last });
      }
    }
    const forget = new Set<string>();
    if (ask.length > 0) {
      try {
        const timeout = this.o.seedTimeoutMs ?? 5000;
        const answers = await Promise.race([
          this.o.seeds.lastCounters(ask),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout).unref()),
        ]);
        for (const r of ask) {
          for (const kernel of r.kernels) {
            const last = answers.get(`${r.user}/${r.server}`)?.get(kernel);
            if (last) items.push({ user: r.user, server: r.server, kernel, last });
          }
        }
      } catch (err) {
        for (const r of ask) forget.add(`${r.user}/${r.server}`);
        this.o.logger.warn({ err, runtimes: ask.length }, 'agent: cannot learn where new runtimes’ counters stand; they wait');
      }
    }
    const fixed = await this.o.sweeper.continue(items, [...forget]);
    const byKey = new Map(fixed.map((f) => [`${f.user}/${f.server}/${f.kernel}`, f]));
    for (const s of fresh) {
      for (const x of s.samples) {
        const f = byKey.get(`${s.user}/${s.server}/${x.kernel ?? ''}`);
        if (!f) continue;
        x.cpuSecondsFrom = f.from;
        x.cpuSecondsTotal = f.total;
      }
    }
    return forget.size === 0 ? snapshots : snapshots.filter((s) => !forget.has(`${s.user}/${s.server}`));
  }
}
