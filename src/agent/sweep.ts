import type { Clock } from '../core/clock.js';
import type { LastCounter } from '../core/store.js';
import type { RuntimeSnapshot } from '../core/usage.js';
import type { ProcStat } from '../procfs/proc.js';
import { RuntimeFinder, type FoundRuntime, type KnownRoot } from './finder.js';
import type { ProcReader } from './proc-reader.js';
import { Sampler } from './sampler.js';

/** What one sweep needs from the agent (plain data: it crosses to a worker thread). */
export interface SweepRequest {
  hubId: string | null;
  /** Follow only runtimes whose `user/server` matches (a regular expression), or all. */
  match: string | null;
  known: KnownRoot[];
  /** Notebooks by kernel of each runtime (by `user/server`), from its sessions. */
  notebooks: Record<string, Record<string, string[]>>;
  /** Counters to continue, for runtimes the sampler does not follow yet. */
  seeds: Record<string, Array<[string, LastCounter]>>;
}

export interface SweepResult {
  t: number;
  snapshots: RuntimeSnapshot[];
  found: FoundRuntime[];
  /** Runtimes found but not sampled: new to the sampler and no counters given to continue. */
  waiting: string[];
  durationMs: number;
}

/** Sweeps run inline (tests) or in a worker thread (the /proc walk of 1,000 runtimes is ~100 ms of CPU). */
export interface Sweeper {
  sweep(req: SweepRequest): Promise<SweepResult>;
  close(): Promise<void>;
}

/**
 * One sweep: find the marked runtimes, then sample those the sampler follows or has counters for. A
 * runtime new to the sampler waits until the agent knows where its counters stand (CPU is counted once).
 */
export class SweepCore {
  private table: ProcStat[] = [];
  private readonly finder: RuntimeFinder;
  private readonly sampler: Sampler;

  constructor(
    private readonly reader: ProcReader,
    private readonly clock: Clock,
    options: { pss: boolean },
  ) {
    this.finder = new RuntimeFinder(reader);
    // The sampler reads the table this sweep already read.
    this.sampler = new Sampler({ ...reader, all: () => this.table }, clock, options);
  }

  sweep(req: SweepRequest): SweepResult {
    const started = performance.now();
    this.table = this.reader.all();
    const found = this.finder.find(this.table, { hubId: req.hubId, match: req.match === null ? null : new RegExp(req.match), known: req.known });
    const waiting: string[] = [];
    const refs = found.flatMap((r) => {
      const key = `${r.user}/${r.server}`;
      const base = { user: r.user, server: r.server, rootPid: r.rootPid, notebooks: req.notebooks[key] ?? {} };
      if (this.sampler.follows(r.user, r.server)) return [base];
      const seeds = req.seeds[key];
      if (!seeds) {
        waiting.push(key);
        return [];
      }
      return [{ ...base, seeds: new Map(seeds) }];
    });
    const snapshots = this.sampler.sweep(refs);
    this.table = [];
    return { t: this.clock.now(), snapshots, found, waiting, durationMs: performance.now() - started };
  }
}

export const inlineSweeper = (core: SweepCore): Sweeper => ({ sweep: async (req) => core.sweep(req), close: async () => undefined });
