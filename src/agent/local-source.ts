import type { EventBatch, EventSource, RuntimeProcesses } from '../core/events.js';
import type { Agent } from './agent.js';
import { parseLine } from './log/lines.js';

/** The in-process agent as an EventSource: the embedded agent goes through the same log and monitor. */
export class LocalEventSource implements EventSource {
  constructor(private readonly agent: Agent) {}

  async fetch(after: number, limit: number, ack = after): Promise<EventBatch> {
    const r = this.agent.read(after, limit, ack);
    return { events: r.lines.map(parseLine), head: r.head, headTime: r.headTime, stats: r.stats };
  }

  async processes(): Promise<RuntimeProcesses[]> {
    return this.agent.processes();
  }

  watch(onNew: () => void): void {
    this.agent.onAppend(onNew);
  }

  async close(): Promise<void> {}
}
