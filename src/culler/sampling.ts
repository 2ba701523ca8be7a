import type { Logger } from '../core/logger.js';
import type { AgentRecord } from '../core/store.js';

/** The registered agents, as far as this needs them (AgentRepo). */
export interface RegisteredAgents {
  list(): Promise<ReadonlyArray<Pick<AgentRecord, 'url'>>>;
}

export interface SamplingWatchOptions {
  /** monitoring.embedded_agent: this hub samples its own runtimes. */
  embedded: boolean;
  /** The registered agents. One with a URL is a separate agent; one without is an embedded agent (another instance's, or an earlier run's), which samples nothing here. */
  agents: RegisteredAgents;
  log: Logger;
}

/**
 * Tells the operator when nothing samples the runtimes' CPU, so culling.busy_cpu_cores cannot spare a busy
 * runtime: the embedded agent is off and no separate agent is registered. Agents register and go while the
 * hub runs, so it is checked at start-up and every round of judgement, and said when it starts to hold.
 */
export class SamplingWatch {
  private told = false;

  constructor(private readonly o: SamplingWatchOptions) {}

  async check(): Promise<void> {
    if (this.o.embedded) return;
    let none: boolean;
    try {
      none = !(await this.o.agents.list()).some((a) => a.url !== null);
    } catch (err) {
      this.o.log.debug({ err }, 'culler: cannot read the agents; whether anything samples is checked again next round');
      return;
    }
    if (none && !this.told) {
      this.o.log.warn(
        { key: 'culling.busy_cpu_cores' },
        'culling.busy_cpu_cores has no effect: monitoring.embedded_agent is false and no agent is registered (nbhub agent), so the hub reads no CPU; a runtime busy only with processes (no busy kernel, no user activity) will be culled as idle',
      );
    }
    this.told = none;
  }
}
