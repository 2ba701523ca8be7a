import type { Clock } from '../core/clock.js';
import { isClusterUsage } from '../core/cluster-usage.js';
import type { LastCounter } from '../core/store.js';
import type { RuntimeSnapshot } from '../core/usage.js';
import type { ProcStat } from '../procfs/proc.js';
import type { CgroupUsageReader } from './cgroup-usage.js';
import { RuntimeFinder, type FoundRuntime, type KnownRoot } from './finder.js';
import { PodFinder } from './pod-finder.js';
import type { RuntimePod } from './pods.js';
import type { ProcReader } from './proc-reader.js';
import { Sampler } from './sampler.js';

/** What one sweep needs from the agent (plain data: it crosses to a worker thread). */
export interface SweepRequest {
  hubId: string | null;
  /** Follow only runtimes whose `user/server` matches (a regular expression), or all. */
  match: string | null;
  known: KnownRoot[];
  /** Node mode: the runtime pods on this node (found by cgroup, else marker); null: runtimes found by marker. */
  pods?: RuntimePod[] | null;
  /** Notebooks by kernel of each runtime (by `user/server`), from its sessions. */
  notebooks: Record<string, Record<string, string[]>>;
}

export interface SweepResult {
  t: number;
  snapshots: RuntimeSnapshot[];
  found: FoundRuntime[];
  durationMs: number;
}

/** Where a series first seen in the last sweep goes on from (its last counter, logged or stored). */
export interface Continuation {
  user: string;
  server: string;
  kernel: string;
  last: LastCounter;
}

/** A continued series' first sample, corrected. */
export interface Continued {
  user: string;
  server: string;
  kernel: string;
  from: number;
  total: number;
}

/** Sweeps run inline (tests) or in a worker thread (the /proc walk of 1,000 runtimes is ~100 ms of CPU). */
export interface Sweeper {
  sweep(req: SweepRequest): Promise<SweepResult>;
  /**
   * After a sweep: continues its fresh series from their last counters, and forgets runtimes whose
   * counters could not be learnt (they are met again as new, until they can be).
   */
  continue(items: readonly Continuation[], forget: readonly string[]): Promise<Continued[]>;
  close(): Promise<void>;
}

/** One sweep: find the marked runtimes (and the caller's known roots), then sample them. */
export class SweepCore {
  private table: ProcStat[] = [];
  private readonly finder: RuntimeFinder;
  private readonly podFinder: PodFinder;
  private readonly sampler: Sampler;
  /** Runtimes left out of the next sweep, so the sampler forgets them. */
  private forgetNext = new Set<string>();

  constructor(
    private readonly reader: ProcReader,
    private readonly clock: Clock,
    options: { pss: boolean; cgroups?: CgroupUsageReader },
  ) {
    this.finder = new RuntimeFinder(reader);
    this.podFinder = new PodFinder(reader);
    // The sampler reads the table this sweep already read.
    this.sampler = new Sampler({ ...reader, all: () => this.table }, clock, options);
  }

  sweep(req: SweepRequest): SweepResult {
    const started = performance.now();
    this.table = this.reader.all();
    const match = req.match === null ? null : new RegExp(req.match);
    const found = req.pods ? this.podFinder.find(this.table, { hubId: req.hubId, match, pods: req.pods }) : this.finder.find(this.table, { hubId: req.hubId, match, known: req.known });
    const refs = found
      .filter((r) => !this.forgetNext.has(`${r.user}/${r.server}`))
      .map((r) => ({
        user: r.user,
        server: r.server,
        rootPid: r.rootPid,
        others: r.others,
        ...(r.cgroup ? { cgroup: r.cgroup } : {}),
        notebooks: req.notebooks[`${r.user}/${r.server}`] ?? {},
        parts: isClusterUsage(r.user) ? ('spark' as const) : ('kernels' as const),
      }));
    this.forgetNext = new Set();
    const snapshots = this.sampler.sweep(refs);
    this.table = [];
    return { t: this.clock.now(), snapshots, found, durationMs: performance.now() - started };
  }

  continue(items: readonly Continuation[], forget: readonly string[]): Continued[] {
    for (const key of forget) this.forgetNext.add(key);
    return items.flatMap((c) => {
      const fixed = this.sampler.continueFrom(c.user, c.server, c.kernel, c.last);
      return fixed ? [{ user: c.user, server: c.server, kernel: c.kernel, ...fixed }] : [];
    });
  }
}

export const inlineSweeper = (core: SweepCore): Sweeper => ({
  sweep: async (req) => core.sweep(req),
  continue: async (items, forget) => core.continue(items, forget),
  close: async () => undefined,
});
