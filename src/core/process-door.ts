import type { ProcessInfo } from './usage.js';

/**
 * The one door into a runtime's processes (DESIGN.md idea 8): what the hub reads from them and does to them.
 * Only the agent beside the runtime can open it (in this process, or over its API), so a runtime is named by
 * user and server; `rootPid` is what the hub itself knows, a hint at most (null: not on the hub's machine).
 */
export interface RuntimeRef {
  user: string;
  server: string;
  rootPid: number | null;
}

/** One kernel's process tree at one moment: a CPU-seconds counter (reaped children included) and memory. */
export interface KernelReading {
  cpuSeconds: number;
  memoryBytes: number;
  /** pid:start time of the kernel's process: a restarted kernel is another process, whose counter starts over. */
  process: string;
}

/**
 * One process of a runtime, as it is now: a sweep's ProcessInfo with its start time, and `cpu` its cores
 * now (a rate since a reading 1 to 5 s before the answer), null while there is no figure yet (a process
 * younger than a second); `memory` is PSS where readable, else RSS, as the sweep counts it.
 */
export interface RuntimeProcess extends Omit<ProcessInfo, 'cpu'> {
  cpu: number | null;
  /** When the process started, Unix ms (whole): with the pid, which process this is. */
  started: number;
}

export const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
export type SignalName = (typeof SIGNALS)[number];

/**
 * How a signal went. `no-such-process`: the pid is not in the runtime's tree now, or is another process
 * than the one named (its start time differs: the pid was reused), so nothing was sent.
 */
export type SignalOutcome = 'signalled' | 'no-such-process' | 'no-such-runtime';

export interface ProcessDoor {
  /**
   * A kernel's reading, taken when asked (not when answered); undefined when the runtime or kernel is not
   * found, or the agent cannot be asked. Never rejects.
   */
  readKernel(rt: RuntimeRef, kernelId: string): Promise<KernelReading | undefined>;
  /** The kernel is not followed any more: what is kept to read it fast may go. */
  forgetKernel(rt: RuntimeRef, kernelId: string): void;
  /**
   * The runtime's processes with their CPU and memory now (may take a second: a rate needs two readings);
   * undefined when no agent finds the runtime. Throws UNAVAILABLE when none can be asked.
   */
  processes(rt: RuntimeRef): Promise<RuntimeProcess[] | undefined>;
  /**
   * Signals one process of the runtime, checked against the live tree and the process's start time right
   * before the kill (`started`, when given, must be the process's too). Throws UNAVAILABLE when no agent can be asked.
   */
  signal(rt: RuntimeRef, pid: number, signal: SignalName, started?: number): Promise<SignalOutcome>;
}
