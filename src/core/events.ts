/**
 * Monitoring events (DESIGN.md idea 7). An agent appends what it observes to a local log; every event gets
 * the next offset of that agent. The hub pulls them by offset and stores each batch with the agent's new
 * offset in one transaction. Field names are the wire names (the agent API, /hub/api/events).
 */
import type { LastCounter } from './store.js';
import type { ProcessInfo } from './usage.js';

/** One sample of one series: `kernel` '' is the runtime as a whole. CPU is the counter before and after. */
export interface SampleEvent {
  type: 'sample';
  offset: number;
  /** Unix ms. */
  time: number;
  user: string;
  server: string;
  kernel: string;
  cpu_from: number;
  cpu: number;
  memory: number;
  /** Present when the sampler met the series at this sample (its counter starts, or continues, here). */
  fresh?: true;
  /** The runtime's (kernel '') only: its server process's own CPU seconds (null: gone), for the culler. */
  root_cpu?: number | null;
}

/** A kernel seen for the first time, gone, or serving other notebooks (from the runtime's sessions). */
export interface KernelEvent {
  type: 'kernel';
  offset: number;
  time: number;
  user: string;
  server: string;
  kernel: string;
  change: 'appeared' | 'notebooks' | 'exited';
  notebooks: string[];
}

/** A runtime the agent started to follow, or whose process tree is gone. */
export interface RuntimeEvent {
  type: 'runtime';
  offset: number;
  time: number;
  user: string;
  server: string;
  change: 'appeared' | 'exited';
}

/**
 * Samples the agent dropped to stay within its disk bound: every offset from `offset` to `through` was a
 * sample, and none of them will come. Never silent: the hub counts them.
 */
export interface LostEvent {
  type: 'lost';
  offset: number;
  time: number;
  through: number;
  count: number;
}

export type AgentEvent = SampleEvent | KernelEvent | RuntimeEvent | LostEvent;
export type EventType = AgentEvent['type'];
export const EVENT_TYPES: readonly EventType[] = ['sample', 'kernel', 'runtime', 'lost'];

type WithoutOffset<T> = T extends unknown ? Omit<T, 'offset'> : never;
/** An event before the log gives it an offset. */
export type NewEvent = WithoutOffset<SampleEvent | KernelEvent | RuntimeEvent>;

/** The last offset an event covers (a lost range covers several). */
export const lastOffsetOf = (e: AgentEvent): number => (e.type === 'lost' ? e.through : e.offset);

/** An agent's own health, shown by the hub (/hub/metrics, /hub/api/agents). Times are Unix ms. */
export interface AgentStats {
  intervalSeconds: number;
  sweeps: number;
  errors: number;
  lastSweep: number | null;
  lastSweepDurationMs: number | null;
}

export interface EventBatch {
  /** In offset order, each after `after` (a lost range may start at or before it: it is clipped). */
  events: AgentEvent[];
  /** The agent's newest offset, and when it was written (null: nothing yet). */
  head: number;
  headTime: number | null;
  stats: AgentStats;
}

/** The processes of one runtime at its latest sweep: kept as the latest only, never logged. */
export interface RuntimeProcesses {
  user: string;
  server: string;
  t: number;
  processes: ProcessInfo[];
}

/**
 * Where the monitor reads one agent's events: the in-process agent or an agent over HTTP. `ack` says what
 * the hub has stored (the agent may trim it); it defaults to `after`, and is lower while the hub reads ahead.
 */
export interface EventSource {
  fetch(after: number, limit: number, ack?: number): Promise<EventBatch>;
  processes(): Promise<RuntimeProcesses[]>;
  /** A source that can tell when it has new events (the in-process agent) calls back: the monitor pulls at once. */
  watch?(onNew: () => void): void;
  close(): Promise<void>;
}

/** A runtime as an agent names it. */
export interface RuntimeKey {
  user: string;
  server: string;
}

export const runtimeKey = (r: RuntimeKey): string => `${r.user}/${r.server}`;

/**
 * The last stored counters of series an agent meets with no history of its own (its first start, or a
 * runtime it has not logged lately), by runtime (`user/server`) then kernel ('' the runtime), so it
 * continues them instead of counting old CPU again. A series the store has not seen is absent.
 */
export interface SeedSource {
  lastCounters(runtimes: ReadonlyArray<RuntimeKey & { kernels: readonly string[] }>): Promise<Map<string, Map<string, LastCounter>>>;
}
