import type { Clock } from '../core/clock.js';
import type { LastCounter } from '../core/store.js';
import type { ProcessInfo, RuntimeSnapshot, UsageSample } from '../core/usage.js';
import { childrenByParent, type ProcStat } from '../procfs/proc.js';
import type { CgroupUsage, CgroupUsageReader } from './cgroup-usage.js';
import { cpuIncrement, type CpuReading } from './counters.js';
import { kernelIdOf } from './kernels.js';
import type { ProcReader } from './proc-reader.js';
import { sparkComponentKey } from './spark-components.js';
import { runtimeTrees, type Member } from './tree.js';

/** A runtime to sample: who it belongs to and the root of its process tree. */
export interface RuntimeRef {
  user: string;
  server: string;
  rootPid: number;
  /** Other roots whose trees count to the runtime (its named apps: FoundRuntime.others). */
  others?: readonly number[];
  /** Node mode: the pod's cgroup paths; where readable, the runtime's CPU and memory come from them. */
  cgroup?: Readonly<Record<string, string>>;
  /** Notebook paths by kernel id, as the runtime's /api/sessions last said. */
  notebooks: Record<string, string[]>;
  /**
   * What its series below the whole are: a runtime's kernels (default), or a Spark cluster's components
   * (spark-components.ts: master, workers, each application's executors and drivers) in the kernel's place.
   */
  parts?: 'kernels' | 'spark';
}

interface SeriesState {
  counter: number;
  readings: Map<string, CpuReading>;
  /** The runtime's series in node mode: the pod cgroup's CPU seconds at this sweep. */
  cgroupCpu?: number;
  /** Only in the sweep that first saw the series: each process's start (Unix ms) and CPU, for continueFrom(). */
  firstSeen?: Array<{ started: number; cpu: number }>;
}

interface RuntimeState {
  series: Map<string, SeriesState>;
  t: number;
}

const RUNTIME = '';
/**
 * Kernel series per runtime: what a runtime's processes name as their kernel is not checked, so a
 * runtime cannot create series without bound; past this, processes count to the runtime only.
 */
export const MAX_KERNEL_SERIES = 64;
/** Counters of kernels that went away are kept (a restarting kernel keeps its id), up to this many. */
const MAX_GONE_SERIES = 256;
/**
 * The runtime's CPU since the last sweep from its pod's cgroup (all its processes, also those gone between
 * sweeps): the counter's rise; at first sight everything it counted (as a new process counts whole); when
 * the last sweep had no cgroup reading, this sweep's processes decide.
 */
const cgroupIncrement = (now: CgroupUsage, before: SeriesState | undefined, fromProcs: number): number => {
  if (!before) return now.cpuSeconds;
  return before.cgroupCpu === undefined ? fromProcs : Math.max(0, now.cpuSeconds - before.cgroupCpu);
};
const procKey = (p: ProcStat) => `${p.pid}:${p.startTime}`;
/** What a JVM's ProcessBuilder runs first in a new child, before that execs the command asked for. */
const JVM_SPAWN_HELPER = /(^|\/)jspawnhelper$/;

/**
 * Samples process trees from /proc (DESIGN.md idea 4): per runtime and per kernel, a CPU-seconds
 * counter and a memory gauge, plus each process. Processes a kernel starts count to that kernel.
 * Keeps what it needs of the previous sweep to keep counters monotonic and to give per-process rates.
 */
export class Sampler {
  private readonly state = new Map<string, RuntimeState>();
  /** Command line and kernel of each process (by pid and start time): both are fixed once it has exec'd. */
  private readonly known = new Map<string, { command: string; kernel: string | null }>();

  constructor(
    private readonly reader: ProcReader,
    private readonly clock: Clock,
    private readonly options: { pss: boolean; cgroups?: CgroupUsageReader } = { pss: false },
  ) {}

  sweep(runtimes: readonly RuntimeRef[]): RuntimeSnapshot[] {
    const t = this.clock.now();
    const all = this.reader.all();
    const children = childrenByParent(all);
    const byPid = new Map(all.map((p) => [p.pid, p]));
    const seen = new Set<string>();
    const out = runtimes.map((r) => {
      const key = `${r.user}/${r.server}`;
      seen.add(key);
      return this.sampleRuntime(r, key, t, byPid, children);
    });
    for (const key of this.state.keys()) if (!seen.has(key)) this.state.delete(key);
    for (const key of this.known.keys()) if (!byPid.has(Number(key.slice(0, key.indexOf(':'))))) this.known.delete(key);
    return out;
  }

  /**
   * Continues a series first seen in the last sweep (listed in its snapshot's `fresh`) from its last
   * stored counter: what ran before that sample was counted then (CPU used while nothing sampled is lost,
   * never counted twice); processes started since count whole. Returns the sample's corrected counters.
   */
  continueFrom(user: string, server: string, kernel: string, last: LastCounter): { from: number; total: number } | undefined {
    const st = this.state.get(`${user}/${server}`)?.series.get(kernel);
    if (!st?.firstSeen) return undefined;
    const since = st.firstSeen.reduce((sum, p) => (p.started > last.t ? sum + p.cpu : sum), 0);
    st.counter = last.cpu + since;
    st.firstSeen = undefined;
    return { from: last.cpu, total: st.counter };
  }


  private sampleRuntime(r: RuntimeRef, key: string, t: number, byPid: Map<number, ProcStat>, children: Map<number, ProcStat[]>): RuntimeSnapshot {
    const root = byPid.get(r.rootPid);
    const prev = this.state.get(key);
    const dt = prev ? (t - prev.t) / 1000 : 0;
    const kernelOf = (st: ProcStat) => this.identify(st, byPid, r.parts ?? 'kernels').kernel;
    const members = root ? runtimeTrees([root, ...(r.others ?? []).flatMap((pid) => byPid.get(pid) ?? [])], children, kernelOf) : [];
    const groups = new Map<string, Member[]>([[RUNTIME, members]]);
    for (const m of members) {
      if (m.kernel === null) continue;
      const g = groups.get(m.kernel);
      if (g) g.push(m);
      else if (groups.size <= MAX_KERNEL_SERIES) groups.set(m.kernel, [m]);
    }
    const memory = new Map<number, number>();
    for (const m of members) memory.set(m.st.pid, (this.options.pss ? this.reader.pss(m.st.pid) : undefined) ?? m.st.rssBytes);
    const pod = r.cgroup && members.length > 0 ? this.options.cgroups?.(r.cgroup) : undefined;

    const series = new Map<string, SeriesState>();
    const samples: UsageSample[] = [];
    const fresh: string[] = [];
    for (const [id, procs] of groups) {
      const readings = new Map(procs.map((m) => [procKey(m.st), { key: procKey(m.st), pid: m.st.pid, ppid: m.st.ppid, cpu: m.st.cpuSeconds, child: m.st.childCpuSeconds }]));
      const before = prev?.series.get(id);
      const from = before?.counter ?? 0;
      const fromProcs = cpuIncrement(readings, before?.readings ?? new Map());
      const whole = id === RUNTIME ? pod : undefined;
      const inc = whole ? cgroupIncrement(whole, before, fromProcs) : fromProcs;
      const state: SeriesState = { counter: from + inc, readings, ...(whole ? { cgroupCpu: whole.cpuSeconds } : {}) };
      if (!before) {
        fresh.push(id);
        state.firstSeen = procs.map((m) => ({ started: this.reader.startedAt(m.st), cpu: m.st.cpuSeconds + m.st.childCpuSeconds }));
      }
      series.set(id, state);
      samples.push({
        t,
        user: r.user,
        server: r.server,
        kernel: id === RUNTIME ? null : id,
        cpuSecondsTotal: from + inc,
        cpuSecondsFrom: from,
        memoryBytes: whole ? whole.memoryBytes : procs.reduce((sum, m) => sum + (memory.get(m.st.pid) ?? 0), 0),
      });
    }
    // A kernel with no process this sweep (restarting) keeps its counter, so it goes on when it is back.
    let gone = 0;
    for (const [id, st] of prev?.series ?? []) {
      if (series.has(id) || ++gone > MAX_GONE_SERIES) continue;
      series.set(id, { counter: st.counter, readings: new Map() });
    }
    const prevReadings = prev?.series.get(RUNTIME)?.readings;
    const processes: ProcessInfo[] = members.map(({ st, kernel }) => {
      const before = prevReadings?.get(procKey(st));
      const used = before ? st.cpuSeconds - before.cpu : 0;
      return {
        pid: st.pid,
        ppid: st.ppid,
        command: this.identify(st, byPid, r.parts ?? 'kernels').command,
        cpu: dt > 0 ? Math.max(0, used) / dt : 0,
        memory: memory.get(st.pid) ?? st.rssBytes,
        kernelId: kernel,
      };
    });
    this.state.set(key, { series, t });
    return { t, user: r.user, server: r.server, samples, processes, notebooks: r.notebooks, fresh, rootCpuSeconds: root ? root.cpuSeconds : null };
  }

  private identify(st: ProcStat, byPid: Map<number, ProcStat>, parts: 'kernels' | 'spark'): { command: string; kernel: string | null } {
    const key = procKey(st);
    const hit = this.known.get(key);
    if (hit) return hit;
    const argv = this.reader.cmdline(st.pid) ?? [];
    const kernel = parts === 'spark' ? sparkComponentKey(argv, () => this.reader.environ?.(st.pid), st.pid) : kernelIdOf(argv);
    const found = { command: argv.join(' '), kernel };
    // A child still showing its parent's command line may not have exec'd yet, nor a JVM's child still in the
    // helper the JVM starts it through (a Spark worker's executors): ask again next sweep.
    const parent = byPid.get(st.ppid);
    const parentHit = parent && this.known.get(procKey(parent));
    if (argv.length > 0 && parentHit?.command !== found.command && !JVM_SPAWN_HELPER.test(argv[0] as string)) this.known.set(key, found);
    return found;
  }
}
