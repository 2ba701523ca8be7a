import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ActivitySink } from '../core/routes.js';
import type { RunningRuntime, RuntimeDirectory, UsageSource } from '../core/usage.js';
import { judgeLook, type KernelSeen } from './evidence.js';
import type { KernelActivity } from './kernels.js';
import type { PolicyFor } from './policy.js';

export interface ProbeOptions {
  runtimes: RuntimeDirectory;
  /** The embedded sampler's latest sweeps (null when sampling is left to agents: no CPU evidence). */
  usage: UsageSource | null;
  sink: ActivitySink;
  /** The server's last activity as the hub counts it. */
  lastActivityOf: (user: string, server: string) => number | null;
  policyFor: PolicyFor;
  clock: Clock;
  log: Logger;
  kernelsOf: (rt: RunningRuntime) => Promise<KernelSeen[]>;
  /** Runtimes looked at at once, so a thousand of them do not open a thousand connections together. */
  concurrency?: number;
}

interface RuntimeMemory {
  t: number;
  kernels: Map<string, KernelActivity>;
}

const keyOf = (user: string, server: string) => `${user}\u0000${server}`;

/**
 * Gathers the activity the proxy cannot see: busy kernels (the runtime's own API) and busy processes
 * (the sampler), every monitoring interval, into the same ActivitySink the proxy feeds. Remembers each
 * runtime's kernels for kernel culling.
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
  async look(rt: RunningRuntime): Promise<void> {
    const policy = this.o.policyFor(rt.user, rt.profile);
    const wantKernels = policy.spareBusy || (policy.enabled && policy.kernelIdleTimeoutMs > 0);
    let kernels: KernelSeen[] | null = null;
    if (wantKernels) {
      try {
        kernels = await this.o.kernelsOf(rt);
      } catch (err) {
        this.o.log.debug({ err, user: rt.user, server: rt.server }, 'culler: kernels not readable; keeping what was known');
      }
    }
    const key = keyOf(rt.user, rt.server);
    const prev = this.memory.get(key);
    const snap = this.o.usage?.latestOf(rt.user, rt.server);
    const t = this.o.clock.now();
    const judged = judgeLook(
      prev?.kernels ?? new Map(),
      {
        t,
        prevT: prev?.t ?? null,
        lastCounted: this.o.lastActivityOf(rt.user, rt.server),
        kernels,
        cpu: snap ? { t: snap.t, rootPid: rt.rootPid, processes: snap.processes } : null,
      },
      policy,
    );
    this.memory.set(key, { t, kernels: judged.kernels });
    if (judged.activityAt !== null) this.o.sink.touch(rt.user, rt.server, judged.activityAt);
  }

  /** A kernel that was shut down is no candidate any more, until a look sees it again. */
  forgetKernel(user: string, server: string, id: string): void {
    this.memory.get(keyOf(user, server))?.kernels.delete(id);
  }

  kernelsIn(user: string, server: string): KernelActivity[] {
    return [...(this.memory.get(keyOf(user, server))?.kernels.values() ?? [])];
  }
}
