import { notebooksByKernel } from '../agent/jupyter-api.js';
import type { Sampler } from '../agent/sampler.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { RESOLUTIONS, type KernelNotebook, type Resolution, type Store, type UsageRow } from '../core/store.js';
import type { RuntimeDirectory, RuntimeSnapshot, SamplerStats, UsageSource } from '../core/usage.js';

export interface EmbeddedMonitorOptions {
  sampler: Sampler;
  store: Store;
  runtimes: RuntimeDirectory;
  clock: Clock;
  log: Logger;
  intervalSeconds: number;
  retentionDays: Record<Resolution, number>;
}

const DAY_MS = 86_400_000;
const SESSIONS_EVERY = 6;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The in-process agent of a one-machine hub: every interval, samples each running runtime's process
 * tree, learns which notebooks its kernels serve, and stores the batch. Keeps the latest sweep for
 * /hub/metrics and the live views.
 */
export class EmbeddedMonitor implements UsageSource {
  private latestByKey = new Map<string, RuntimeSnapshot>();
  private readonly notebooks = new Map<string, Record<string, string[]>>();
  /** Sweep number at which each runtime's sessions are next due, and the kernels known when last asked. */
  private readonly sessionsDue = new Map<string, number>();
  private readonly asked = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private running: Promise<void> | undefined;
  readonly stats: SamplerStats;

  constructor(private readonly o: EmbeddedMonitorOptions) {
    this.stats = { intervalSeconds: o.intervalSeconds, lastSweepSeconds: null, lastSweepDurationSeconds: null, sweeps: 0, errors: 0 };
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.o.intervalSeconds * 1000);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  latest(): RuntimeSnapshot[] {
    return [...this.latestByKey.values()];
  }

  latestOf(user: string, server: string): RuntimeSnapshot | undefined {
    return this.latestByKey.get(`${user}/${server}`);
  }

  /** One sweep; a sweep still running when the next is due is not doubled. */
  sweep(): Promise<void> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    const started = performance.now();
    try {
      const runtimes = this.o.runtimes.running().filter((r) => r.rootPid !== null);
      const n = this.stats.sweeps;
      await Promise.all(
        runtimes.map(async (r) => {
          const key = `${r.user}/${r.server}`;
          // Sessions change rarely: ask when a kernel without notebooks was seen, else every few sweeps.
          const kernels = (this.latestByKey.get(key)?.samples ?? []).flatMap((s) => (s.kernel === null ? [] : [s.kernel]));
          const unknownKernel = kernels.some((k) => !this.asked.get(key)?.has(k));
          if (!unknownKernel && (this.sessionsDue.get(key) ?? 0) > n) return;
          this.asked.set(key, new Set(kernels));
          try {
            this.notebooks.set(key, await notebooksByKernel(r));
            this.sessionsDue.set(key, n + SESSIONS_EVERY);
          } catch (err) {
            this.sessionsDue.set(key, n + SESSIONS_EVERY);
            this.o.log.debug({ err, user: r.user, server: r.server }, 'sampler: sessions not readable; keeping the last known');
          }
        }),
      );
      const snapshots = this.o.sampler.sweep(
        runtimes.map((r) => ({ user: r.user, server: r.server, rootPid: r.rootPid as number, notebooks: this.notebooks.get(`${r.user}/${r.server}`) ?? {} })),
      );
      for (const snap of snapshots) if (snap.fresh.length > 0) await this.continueCounters(snap);
      this.latestByKey = new Map(snapshots.map((s) => [`${s.user}/${s.server}`, s]));
      for (const key of this.notebooks.keys()) if (!this.latestByKey.has(key)) this.notebooks.delete(key);
      for (const key of this.sessionsDue.keys()) {
        if (this.latestByKey.has(key)) continue;
        this.sessionsDue.delete(key);
        this.asked.delete(key);
      }
      const rows: UsageRow[] = snapshots.flatMap((s) =>
        s.samples.map((x) => ({ user: x.user, server: x.server, kernel: x.kernel ?? '', t: x.t, cpuFrom: x.cpuSecondsFrom, cpu: x.cpuSecondsTotal, memory: x.memoryBytes })),
      );
      const nb: KernelNotebook[] = snapshots.flatMap((s) =>
        Object.entries(s.notebooks).flatMap(([kernel, paths]) => paths.map((notebook) => ({ user: s.user, server: s.server, kernel, notebook }))),
      );
      await this.o.store.usage.write(rows);
      if (nb.length > 0) await this.o.store.usage.noteNotebooks(nb, this.o.clock.now());
      await this.pruneNow();
      this.stats.sweeps++;
      this.stats.lastSweepSeconds = this.o.clock.now() / 1000;
    } catch (err) {
      this.stats.errors++;
      this.o.log.error({ err }, 'sampler: sweep failed');
    } finally {
      this.stats.lastSweepDurationSeconds = (performance.now() - started) / 1000;
    }
  }

  /**
   * Series first seen in this sweep (a runtime started, a kernel appeared, or the hub restarted) go on
   * from their last stored counter, if any, so their CPU is never counted twice.
   */
  private async continueCounters(snap: RuntimeSnapshot): Promise<void> {
    const last = await this.o.store.usage.lastCounters(snap.user, snap.server, snap.fresh);
    for (const sample of snap.samples) {
      const kernel = sample.kernel ?? '';
      const stored = last.get(kernel);
      const fixed = stored && this.o.sampler.continueFrom(snap.user, snap.server, kernel, stored);
      if (!fixed) continue;
      sample.cpuSecondsFrom = fixed.from;
      sample.cpuSecondsTotal = fixed.total;
    }
  }

  private async pruneNow(): Promise<void> {
    const now = this.o.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const d = this.o.retentionDays;
    await this.o.store.usage.prune(Object.fromEntries(RESOLUTIONS.map((r) => [r, now - d[r] * DAY_MS])) as Record<Resolution, number>);
  }
}
