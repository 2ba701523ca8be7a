import type { KernelReading, RuntimeProcess, SignalName } from '../core/process-door.js';
import { allProcesses, readStat } from '../procfs/proc.js';
import { RuntimeFinder, type FoundRuntime, type KnownRoot } from './finder.js';
import { PodFinder } from './pod-finder.js';
import type { RuntimePod } from './pods.js';
import { createKernelProbe, type KernelProbe } from './kernel-probe.js';
import { procfsReader } from './proc-reader.js';
import { LiveReader } from './live-reader.js';
import { running, signalInTree, startedOf } from './processes.js';

/** A runtime's root process: its pid and when it started (whole Unix ms), so a reused pid is not taken for it. */
export interface Root {
  pid: number;
  started: number;
  /** Other roots counted to the runtime (its named apps: FoundRuntime.others). */
  others: readonly number[];
}

export const rootOfFound = (f: FoundRuntime): Root => ({ pid: f.rootPid, started: Math.round(f.rootStart), others: f.others });

/**
 * What the agent reads from and does to the runtimes on its machine, right now, through /proc (the sweep,
 * in its worker, is the other reader): kernels for per-cell cost, process lists with CPU and memory now, signals.
 */
export class RuntimeInsides {
  private readonly probe: KernelProbe;
  private readonly finder = new RuntimeFinder(procfsReader);
  private readonly podFinder = new PodFinder(procfsReader);
  private readonly live: LiveReader;

  constructor(o: { pss: boolean }) {
    this.probe = createKernelProbe({ pss: o.pss });
    this.live = new LiveReader({ pss: o.pss });
  }

  /** Whether the root is still the process it was. */
  alive(root: Root): boolean {
    const st = readStat(root.pid);
    return running(st) && startedOf(st) === root.started;
  }

  /** The runtimes on this machine now (a whole /proc scan: for a runtime the last sweep did not know). */
  find(o: { hubId: string | null; match: RegExp | null; known: readonly KnownRoot[]; pods?: readonly RuntimePod[] | null }): FoundRuntime[] {
    return o.pods ? this.podFinder.find(allProcesses(), { ...o, pods: o.pods }) : this.finder.find(allProcesses(), o);
  }

  readKernel(root: Root, kernelId: string): KernelReading | undefined {
    return this.probe.read(root.pid, kernelId);
  }

  forgetKernel(root: Root, kernelId: string): void {
    this.probe.forget(root.pid, kernelId);
  }

  /** The runtime's processes with their CPU and memory now (live-reader.ts): may take a second. */
  processes(root: Root): Promise<RuntimeProcess[]> {
    return this.live.processes(root);
  }

  signal(root: Root, pid: number, signal: SignalName, started?: number): 'signalled' | 'no-such-process' {
    return signalInTree(root.pid, pid, signal, started, root.others);
  }
}
