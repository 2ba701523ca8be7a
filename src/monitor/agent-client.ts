import type { EventBatch, EventSource, RuntimeProcesses } from '../core/events.js';
import { EVENTS_PATH, PROCESSES_PATH, statsFromWire, type WireStats } from '../core/agent-protocol.js';

/** A separate agent, over HTTP, as an EventSource. Every request has a deadline: a stuck agent is unreachable. */
export class HttpAgentClient implements EventSource {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async fetch(after: number, limit: number, ack = after): Promise<EventBatch> {
    const q = `after=${after}&limit=${limit}${ack !== after ? `&ack=${ack}` : ''}`;
    const body = (await this.get(`${EVENTS_PATH}?${q}`)) as { head: number; head_time: number | null; stats: WireStats; events: EventBatch['events'] };
    return { events: body.events, head: body.head, headTime: body.head_time, stats: statsFromWire(body.stats) };
  }

  async processes(): Promise<RuntimeProcesses[]> {
    return ((await this.get(PROCESSES_PATH)) as { runtimes: RuntimeProcesses[] }).runtimes;
  }

  async close(): Promise<void> {}

  private async get(path: string): Promise<unknown> {
    const res = await fetch(new URL(path, this.url), { headers: { authorization: `Bearer ${this.secret}` }, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`agent answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }
}
