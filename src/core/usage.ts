/** Consumption monitoring (DESIGN.md idea 4): one sample shape, per runtime and per kernel. */

import type { AgentStats } from './events.js';

/** One process inside a runtime, as seen in one sweep. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
  /** Cores used since the previous sweep (0 on the first). */
  cpu: number;
  /** Resident memory, bytes. */
  memory: number;
  /** The kernel whose process tree holds this process, or null (the runtime's own processes). */
  kernelId: string | null;
}

/** One sample: `kernel` null is the runtime as a whole (every process in it, kernels included). */
export interface UsageSample {
  t: number;
  user: string;
  server: string;
  kernel: string | null;
  /**
   * Counter: CPU seconds (user + system) the series has used, children already reaped included. It goes on
   * across hub restarts (continued from the store) and only grows.
   */
  cpuSecondsTotal: number;
  /** The counter at the previous sample of this series (or where it was continued from). */
  cpuSecondsFrom: number;
  /** Gauge: resident memory (PSS where readable, else RSS), bytes. */
  memoryBytes: number;
}

/** What one sweep saw of one runtime. */
export interface RuntimeSnapshot {
  t: number;
  user: string;
  server: string;
  samples: UsageSample[];
  processes: ProcessInfo[];
  /** Session labels by kernel id, from the runtime's own /api/sessions (KernelLabels: notebooks and consoles by path). */
  notebooks: Record<string, string[]>;
  /** Series (kernel id, '' for the runtime) this sweep saw for the first time: their counters start here. */
  fresh: string[];
  /**
   * CPU seconds the runtime's root process (its server) used itself, children not included; null when it
   * is gone. The culler leaves it out of the runtime's CPU: serving a polling tab is what keeps it busy.
   */
  rootCpuSeconds: number | null;
}

/** A running runtime as the sampler needs it. */
export interface RunningRuntime {
  user: string;
  server: string;
  profile: string;
  /** Root of its process tree on this machine, or null (not local). */
  rootPid: number | null;
  /** Origin and base path of the runtime, and its token, to ask its own API (sessions, kernels). */
  target: string;
  baseUrl: string;
  token: string;
}

export interface RuntimeDirectory {
  running(): RunningRuntime[];
}

/** The sampler's own health, for the "hub not sampling" alert. Times are Unix seconds. */
export interface SamplerStats {
  intervalSeconds: number;
  /** When the last sweep finished; null before the first one. */
  lastSweepSeconds: number | null;
  lastSweepDurationSeconds: number | null;
  /** Sweeps completed since the hub started (a counter). */
  sweeps: number;
  /** Sweeps that failed since the hub started (a counter). */
  errors: number;
}

/** The latest sweep of every running runtime, for /hub/metrics and the live views. */
export interface UsageSource {
  latest(): RuntimeSnapshot[];
  latestOf(user: string, server: string): RuntimeSnapshot | undefined;
  readonly stats: SamplerStats;
}

/** What one hub instance knows of an agent it pulls: the runtimes it reports on, and its own counters. */
export interface PulledAgent {
  runtimes: Array<{ user: string; server: string; monitoring: 'ok' | 'unknown' }>;
  stats: AgentStats | null;
}

/** The monitor as the API reads it: the latest sweeps, and which agents this instance pulls. */
export interface MonitorView extends UsageSource {
  /** Undefined when this instance does not pull the agent (another holds its lease). */
  pulling(agentId: string): PulledAgent | undefined;
  /** Whether the agent registered at `url` is known to be gone (on Kubernetes: its pod deleted). */
  gone(url: string | null): boolean;
}
