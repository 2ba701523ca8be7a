import type { Clock } from '../core/clock.js';
import type { CullSchedule, CullTarget, CullView } from '../core/culling.js';
import type { Logger } from '../core/logger.js';
import type { ServerRecord } from '../core/models.js';
import type { RunningRuntime, RuntimeDirectory } from '../core/usage.js';
import { decideCull, type Verdict } from './decide.js';
import { idleKernels } from './kernels.js';
import type { PolicyFor } from './policy.js';
import type { ActivityProbe } from './probe.js';

export interface CullerOptions {
  target: CullTarget;
  runtimes: RuntimeDirectory;
  probe: ActivityProbe;
  policyFor: PolicyFor;
  clock: Clock;
  log: Logger;
  /** How often servers are judged (culling.every_seconds), and activity gathered (monitoring.interval_seconds). */
  everySeconds: number;
  probeSeconds: number;
  shutdownKernel: (rt: RunningRuntime, id: string) => Promise<void>;
  /** Whether anything samples the CPU it judges by (sampling.ts): checked at start and every round. */
  sampling?: { check(): Promise<void> } | undefined;
}

const verdictOf = (rec: ServerRecord, policyFor: PolicyFor, now: number): Verdict =>
  decideCull({ state: rec.state, started: rec.started, lastActivity: rec.lastActivity }, policyFor(rec.user, rec.profile), now);

/**
 * The culler's loop: gathers activity, judges every running server with the pure decision and hands a
 * stop to the lifecycle reconciler, which re-checks it under the server's lock. Kernel culling shuts
 * idle kernels down through the runtime's own API.
 */
export class Culler implements CullView {
  private timers: NodeJS.Timeout[] = [];
  private probing: Promise<void> | undefined;
  private judging: Promise<void> | undefined;

  constructor(private readonly o: CullerOptions) {}

  start(): void {
    this.timers.push(setInterval(() => void this.probeNow(), this.o.probeSeconds * 1000).unref());
    this.timers.push(setInterval(() => void this.judgeNow(), this.o.everySeconds * 1000).unref());
    void this.probeNow();
    void this.o.sampling?.check();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([this.probing, this.judging]);
  }

  scheduleOf(rec: ServerRecord): CullSchedule | null {
    const v = verdictOf(rec, this.o.policyFor, this.o.clock.now());
    return v.schedule;
  }

  /** One sweep of the probe; one at a time. */
  probeNow(): Promise<void> {
    this.probing ??= this.o.probe
      .sweep()
      .catch((err: unknown) => this.o.log.error({ err }, 'culler: activity sweep failed'))
      .finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** One round of judgement; one at a time. */
  judgeNow(): Promise<void> {
    this.judging ??= this.judge()
      .catch((err: unknown) => this.o.log.error({ err }, 'culler: judging failed'))
      .finally(() => (this.judging = undefined));
    return this.judging;
  }

  private async judge(): Promise<void> {
    await this.o.sampling?.check();
    const byKey = new Map(this.o.runtimes.running().map((r) => [`${r.user}\u0000${r.server}`, r]));
    await Promise.all(
      this.o.target
        .all()
        .filter((rec) => rec.state === 'running')
        .map(async (rec) => {
          const rt = byKey.get(`${rec.user}\u0000${rec.name}`);
          await this.judgeServer(rec, rt);
          if (rt) await this.cullKernels(rt);
        }),
    );
  }

  private async judgeServer(rec: ServerRecord, rt: RunningRuntime | undefined): Promise<void> {
    let v = verdictOf(rec, this.o.policyFor, this.o.clock.now());
    if (v.kind !== 'stop') return;
    // Idle by what was gathered: look once more, in case the runtime got busy since the last sweep.
    if (v.reason === 'idle' && rt) {
      await this.o.probe.look(rt);
      const cur = this.o.target.all().find((r) => r.user === rec.user && r.name === rec.name);
      if (!cur) return;
      v = verdictOf(cur, this.o.policyFor, this.o.clock.now());
      if (v.kind !== 'stop') return;
      // A runtime that cannot be read is not idle for that: held until what was last known allows it.
      if (v.reason === 'idle' && !this.o.probe.idleStopAllowed(rt, this.o.clock.now())) {
        this.o.log.debug({ user: rec.user, server: rec.name }, 'culler: idle by the record, but busy or idle is unknown; not stopping yet');
        return;
      }
    }
    const reason = v.reason;
    const due = (r: ServerRecord) => {
      const again = verdictOf(r, this.o.policyFor, this.o.clock.now());
      return again.kind === 'stop' && again.reason === reason;
    };
    try {
      const stopped = await this.o.target.requestStop(rec.user, rec.name, { by: 'culler', reason, onlyIf: due });
      if (stopped?.state === 'stopping') {
        this.o.log.info({ user: rec.user, server: rec.name, reason, last_activity: rec.lastActivity, started: rec.started }, 'culler: stopping');
      }
    } catch (err) {
      this.o.log.warn({ err, user: rec.user, server: rec.name }, 'culler: stop refused');
    }
  }

  /**
   * Shuts down kernels idle for the kernel timeout. Each one is looked at again right before its own
   * shutdown (a shutdown may take seconds, and the next kernel may have started a cell meanwhile).
   */
  private async cullKernels(rt: RunningRuntime): Promise<void> {
    const policy = this.o.policyFor(rt.user, rt.profile);
    const candidates = () => idleKernels(this.o.probe.kernelsIn(rt.user, rt.server), policy, this.o.clock.now());
    for (const id of candidates()) {
      const { kernelsRead } = await this.o.probe.look(rt);
      if (!kernelsRead) return;
      if (!candidates().includes(id)) continue;
      try {
        await this.o.shutdownKernel(rt, id);
        this.o.probe.forgetKernel(rt.user, rt.server, id);
        this.o.log.info({ user: rt.user, server: rt.server, kernel: id }, 'culler: shut down an idle kernel');
      } catch (err) {
        this.o.log.warn({ err, user: rt.user, server: rt.server, kernel: id }, 'culler: cannot shut down an idle kernel');
      }
    }
  }
}
