import type { RuntimeProcess } from '../core/process-door.js';
import { performance } from 'node:perf_hooks';
import { CLK_TCK, allProcesses, readPss, readUptime, type ProcStat } from '../procfs/proc.js';
import { MIN_GAP_S, baseFor, countedKey, liveRates, prune, remember, type CounterReading } from './live-rates.js';
import { listed, running, treeNow, type TreeMember } from './processes.js';

/** A runtime's roots as the reader needs them (insides.ts Root). */
export interface LiveRoot {
  pid: number;
  started: number;
  others: readonly number[];
}

export interface LiveReaderOptions {
  /** Memory as the sweep counts it: PSS where readable, else RSS (monitoring.pss). */
  pss: boolean;
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One /proc scan serves the runtimes asked about within this long (an admin's list asks about hundreds at once). */
const SCAN_REUSE_MS = 50;

/**
 * A runtime's processes with their CPU and memory now (issue 17): each ask reads the tree's counters, and
 * the rate is since the newest kept reading of the same runtime that is 1 to 5 s old; with none, a reading
 * is taken, and another a second later (asks meanwhile share that answer). The sweep is not consulted.
 */
export class LiveReader {
  private readonly kept = new Map<string, CounterReading[]>();
  private readonly pending = new Map<string, Promise<RuntimeProcess[]>>();
  private readonly sleep: (ms: number) => Promise<void>;
  private scanned: { at: number; t: number; all: ProcStat[] } | undefined;

  constructor(private readonly o: LiveReaderOptions) {
    this.sleep = o.sleep ?? pause;
  }

  processes(root: LiveRoot): Promise<RuntimeProcess[]> {
    const key = `${root.pid}:${root.started}`;
    const waiting = this.pending.get(key);
    if (waiting) return waiting;
    const first = this.read(key, root);
    if (!first) return Promise.resolve([]);
    const base = baseFor(this.kept.get(key) ?? [], first.counters.t);
    this.keep(key, first.counters);
    if (base) return Promise.resolve(this.answer(first.members, liveRates(base, first.counters)));
    const later = (async () => {
      await this.sleep(MIN_GAP_S * 1000 + 20);
      const next = this.read(key, root);
      if (!next) return [];
      this.keep(key, next.counters);
      return this.answer(next.members, liveRates(first.counters, next.counters));
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, later);
    return later;
  }

  private read(key: string, root: LiveRoot): { members: TreeMember[]; counters: CounterReading } | undefined {
    const scan = this.scan();
    const members = scan ? treeNow(root.pid, root.others, scan.all) : [];
    if (!scan || members.length === 0) {
      this.kept.delete(key);
      return undefined;
    }
    const procs = members.map(({ st }) => ({ pid: st.pid, ppid: st.ppid, start: st.startTime / CLK_TCK, cpuSeconds: st.cpuSeconds + st.childCpuSeconds }));
    return { members, counters: { t: scan.t, procs } };
  }

  /** Every process and the time of the reading (seconds since boot); undefined without /proc. */
  private scan(): { t: number; all: ProcStat[] } | undefined {
    const at = performance.now();
    if (this.scanned && at - this.scanned.at < SCAN_REUSE_MS) return this.scanned;
    const t = readUptime();
    if (t === undefined) return undefined;
    this.scanned = { at, t, all: allProcesses() };
    return this.scanned;
  }

  private keep(key: string, r: CounterReading): void {
    // Runtimes nobody asked about for a while are let go.
    for (const [k, list] of this.kept) {
      const left = prune(list, r.t);
      if (left.length === 0) this.kept.delete(k);
      else this.kept.set(k, left);
    }
    this.kept.set(key, remember(this.kept.get(key) ?? [], r));
  }

  private answer(members: readonly TreeMember[], rates: ReadonlyMap<string, number | null>): RuntimeProcess[] {
    return members
      .filter((m) => running(m.st))
      .map((m) => {
        const memory = (this.o.pss ? readPss(m.st.pid) : undefined) ?? m.st.rssBytes;
        return listed(m, rates.get(countedKey({ pid: m.st.pid, start: m.st.startTime / CLK_TCK })) ?? null, memory);
      });
  }
}
