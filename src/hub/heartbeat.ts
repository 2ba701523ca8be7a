import type { Clock } from '../core/clock.js';
import { renewEveryMs } from '../core/instances.js';
import type { Logger } from '../core/logger.js';
import type { InstanceRepo } from '../core/store.js';

export interface HeartbeatOptions {
  instances: Pick<InstanceRepo, 'heartbeat'>;
  clock: Clock;
  log: Logger;
  /** This instance (instance-id.ts). */
  instance: string;
  leaseMs: number;
}

/**
 * This instance's one liveness keeper (core/instances.ts): the monitor's lease split and the lifecycle's
 * server takeover both read the live instances from these heartbeats, so one writer serves both. On SQLite
 * too: the monitor plans its leases from the live instances there as well. A failed beat is logged, not
 * thrown: the next one may land, and an instance missing for a lease is taken over, which is the rule.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(private readonly o: HeartbeatOptions) {}

  /** Beats once, awaited (whatever reads the live instances next counts this one), then every lease/4. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), renewEveryMs(this.o.leaseMs)).unref();
  }

  /** One heartbeat; a beat still under way is not doubled (a slow store gets no pile of writes). */
  beat(): Promise<void> {
    this.beating ??= this.o.instances
      .heartbeat(this.o.instance, this.o.clock.now())
      .catch((err: unknown) => this.o.log.error({ err }, 'hub: cannot record the heartbeat'))
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }
}
