import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ActivitySink } from '../core/routes.js';
import type { RunningRuntime, RuntimeDirectory, UsageSource } from '../core/usage.js';
import { cpuReadingOf, type CpuSeen } from './cpu.js';
import { idleStopAllowed, judgeLook, type KernelSeen, type LookHealth } from './evidence.js';
import type { KernelActivity } from './kernels.js';
import type { PolicyFor } from './policy.js';

export interface ProbeOptions {
  runtimes: RuntimeDirectory;
  /** The latest sweeps of the agents this instance pulls, embedded or separate (null: no CPU evidence). */
  usage: UsageSource | null;
  sink: ActivitySink;
  /** The server's last activity as the hub counts it. */
  lastActivityOf: (user: string, server: string) => number | null;
  policyFor: PolicyFor;
  clock: Clock;
  log: Logger;
  kernelsOf: (rt: RunningRuntime) => Promise<KernelSeen[]>;
  /**
   * Kernels the proxy saw given a request that has not ended (the execution recorder; absent when recording
   * is off). They are busy whatever the runtime says: when a tab connects to a kernel jupyter_server does not
   * yet know busy, it sends kernel_info on the control channel too; under load that reply's idle status lands
   * after a cell began, and the runtime then reports the kernel idle until the cell's own end.
   */
  runningKernels?: (user: string, server: string) => ReadonlySet<string>;
  /** Runtimes looked at at once, so a thousand of them do not open a thousand connections together. */
  concurrency?: number;
}

interface RuntimeMemory {
  /** The latest look whose kernels were read (null: none yet); a failed look does not move it. */
  t: number | null;
  kernels: Map<string, KernelActivity>;
  cpu: CpuSeen | null;
  health: LookHealth;
}

/** What one look found: whether the kernels could be read, and whether it could tell busy from idle. */
export interface LookResult {
  kernelsRead: boolean;
  known: boolean;
}

const keyOf = (user: string, server: string) => `${user}\u0000${server}`;
/** A sampler reading older than this many of its intervals is stale: the CPU is unknown. */
const STALE_INTERVALS = 2;

/**
 * Gathers the activity the proxy cannot see: busy kernels (the runtime's own API) and CPU (the sampler),
 * every monitoring interval, into the same ActivitySink the proxy feeds. Remembers each runtime's kernels
 * for kernel culling, and whether its looks could tell, so an unanswering runtime is not taken for idle.
 */
export class ActivityProbe {
  private readonly memory = new Map<string, RuntimeMemory>();

  constructor(private readonly o: ProbeOptions) {}

  async sweep(): Promise<void> {
    const running = this.o.runtimes.running();
    const live = new Set(running.map((r) => keyOf(r.user, r.server)));
    for (const key of this.memory.keys()) if (!live.has(key)) this.memory.delete(key);
    const queue = [...running];
    const worker = async () => {
      for (let rt = queue.shift(); rt; rt = queue.shift()) await this.look(rt);
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 16, queue.length) }, worker));
  }

  /** Looks at one runtime now (also called right before a verdict is acted on). Never rejects. */
  async look(rt: RunningRuntime): Promise<LookResult> {
    const policy = this.o.policyFor(rt.user, rt.profile);
    const wantKernels = policy.spareBusy || (policy.enabled && policy.kernelIdleTimeoutMs > 0);
    let kernels: KernelSeen[] | 'failed' = [];
    if (wantKernels) {
      try {
        kernels = await this.o.kernelsOf(rt);
        const running = this.o.runningKernels?.(rt.user, rt.server);
        if (running && running.size > 0) kernels = kernels.map((k) => (running.has(k.id) ? { ...k, executionState: 'busy' } : k));
      } catch (err) {
        kernels = 'failed';
        this.o.log.debug({ err, user: rt.user, server: rt.server }, 'culler: kernels not readable; busy or idle is unknown');
      }
    }
    const key = keyOf(rt.user, rt.server);
    const t = this.o.clock.now();
    const prev = this.memory.get(key);
    // CPU evidence only where a local sampler reads this runtime's processes.
    const usage = policy.spareBusy && rt.rootPid !== null ? this.o.usage : null;
    const snap = usage?.latestOf(rt.user, rt.server);
    const judged = judgeLook(
      prev?.kernels ?? new Map(),
      {
        t,
        prevT: prev?.t ?? null,
        lastCounted: this.o.lastActivityOf(rt.user, rt.server),
        kernels,
        cpu: usage ? { prev: prev?.cpu ?? null, cur: snap ? cpuReadingOf(snap) : null, maxAgeMs: STALE_INTERVALS * usage.stats.intervalSeconds * 1000 } : null,
      },
      policy,
    );
    const health: LookHealth = prev?.health ?? { firstLook: t, unknownSince: null, lastKnown: null };
    this.memory.set(key, {
      t: kernels === 'failed' ? (prev?.t ?? null) : t,
      kernels: judged.kernels,
      cpu: judged.cpu,
      health: judged.known
        ? { ...health, unknownSince: null, lastKnown: { t, busy: judged.busy } }
        : { ...health, unknownSince: health.unknownSince ?? t },
    });
    if (judged.activityAt !== null) this.o.sink.touch(rt.user, rt.server, judged.activityAt);
    return { kernelsRead: kernels !== 'failed', known: judged.known };
  }

  /** Whether an idle verdict on this runtime may be acted on, given how the latest looks went (evidence.ts). */
  idleStopAllowed(rt: RunningRuntime, now: number): boolean {
    return idleStopAllowed(this.memory.get(keyOf(rt.user, rt.server))?.health, this.o.policyFor(rt.user, rt.profile), now);
  }

  /** A kernel that was shut down is no candidate any more, until a look sees it again. */
  forgetKernel(user: string, server: string, id: string): void {
    this.memory.get(keyOf(user, server))?.kernels.delete(id);
  }

  kernelsIn(user: string, server: string): KernelActivity[] {
    return [...(this.memory.get(keyOf(user, server))?.kernels.values() ?? [])];
  }
}
