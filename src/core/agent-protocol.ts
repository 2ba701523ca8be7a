import type { AgentStats } from './events.js';
import type { KernelReading, RuntimeProcess, SignalName } from './process-door.js';

/** The agent API (DESIGN.md idea 7): paths and field names (snake_case, as the hub's API), in one place for server and client. */
export interface WireStats {
  interval_seconds: number;
  sweeps: number;
  errors: number;
  last_sweep: number | null;
  last_sweep_duration_ms: number | null;
}

export const statsToWire = (s: AgentStats): WireStats => ({
  interval_seconds: s.intervalSeconds,
  sweeps: s.sweeps,
  errors: s.errors,
  last_sweep: s.lastSweep,
  last_sweep_duration_ms: s.lastSweepDurationMs,
});

export const statsFromWire = (w: WireStats): AgentStats => ({
  intervalSeconds: w.interval_seconds,
  sweeps: w.sweeps,
  errors: w.errors,
  lastSweep: w.last_sweep,
  lastSweepDurationMs: w.last_sweep_duration_ms,
});

export const EVENTS_PATH = '/agent/v1/events';
export const PROCESSES_PATH = '/agent/v1/processes';
export const MAX_LIMIT = 50_000;

/**
 * The process door over the agent's API (DESIGN.md idea 8). A runtime is named by `user` and `server` (the
 * default server: empty); an agent that does not follow it answers 404 with `reason: "no-such-runtime"`.
 * - GET  KERNEL_READING_PATH?user=&server=&kernel=  → WireKernelReading (404 `no-such-kernel`)
 * - POST KERNEL_FORGET_PATH {user, server, kernel}   → 204
 * - GET  RUNTIME_PROCESSES_PATH?user=&server=       → {processes: WireProcess[]}
 * - POST SIGNAL_PATH {user, server, pid, signal, started?} → 204 (404 `no-such-process`: nothing was sent)
 */
export const KERNEL_READING_PATH = '/agent/v1/runtime/kernel-reading';
export const KERNEL_FORGET_PATH = '/agent/v1/runtime/kernel-forget';
export const RUNTIME_PROCESSES_PATH = '/agent/v1/runtime/processes';
export const SIGNAL_PATH = '/agent/v1/runtime/signal';

export type NotFoundReason = 'no-such-runtime' | 'no-such-kernel' | 'no-such-process';

export interface WireNotFound {
  status: 404;
  message: string;
  reason: NotFoundReason;
}

export interface WireKernelReading {
  cpu_seconds: number;
  memory_bytes: number;
  process: string;
}

export interface WireProcess {
  pid: number;
  ppid: number;
  command: string;
  /** Cores now; null: no figure yet. */
  cpu: number | null;
  memory: number;
  kernel_id: string | null;
  started: number;
}

export interface WireSignal {
  user: string;
  server: string;
  pid: number;
  signal: SignalName;
  started?: number;
}

export const readingToWire = (r: KernelReading): WireKernelReading => ({ cpu_seconds: r.cpuSeconds, memory_bytes: r.memoryBytes, process: r.process });
export const readingFromWire = (w: WireKernelReading): KernelReading => ({ cpuSeconds: w.cpu_seconds, memoryBytes: w.memory_bytes, process: w.process });

export const processToWire = (p: RuntimeProcess): WireProcess => ({
  pid: p.pid,
  ppid: p.ppid,
  command: p.command,
  cpu: p.cpu,
  memory: p.memory,
  kernel_id: p.kernelId,
  started: p.started,
});
export const processFromWire = (w: WireProcess): RuntimeProcess => ({
  pid: w.pid,
  ppid: w.ppid,
  command: w.command,
  cpu: w.cpu,
  memory: w.memory,
  kernelId: w.kernel_id,
  started: w.started,
});
