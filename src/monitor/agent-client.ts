import type { EventBatch, EventSource, RuntimeKey, RuntimeProcesses } from '../core/events.js';
import type { KernelReading, RuntimeProcess, SignalName } from '../core/process-door.js';
import {
  EVENTS_PATH,
  KERNEL_FORGET_PATH,
  KERNEL_READING_PATH,
  PROCESSES_PATH,
  processFromWire,
  readingFromWire,
  RUNTIME_PROCESSES_PATH,
  SIGNAL_PATH,
  statsFromWire,
  type NotFoundReason,
  type WireKernelReading,
  type WireNotFound,
  type WireProcess,
  type WireSignal,
  type WireStats,
} from '../core/agent-protocol.js';

/** What an agent answered for a runtime: the value, or why it has none (a 404 of the process door). */
export type Answered<T> = { value: T } | { missing: NotFoundReason };

/** What the process door asks one agent (RemoteProcessDoor). */
export interface AgentDoorClient {
  kernelReading(rt: RuntimeKey, kernelId: string): Promise<Answered<KernelReading>>;
  forgetKernel(rt: RuntimeKey, kernelId: string): Promise<void>;
  runtimeProcesses(rt: RuntimeKey): Promise<Answered<RuntimeProcess[]>>;
  signal(rt: RuntimeKey, pid: number, signal: SignalName, started?: number): Promise<Answered<null>>;
}

/** A separate agent, over HTTP, as an EventSource and a process door. Every request has a deadline: a stuck agent is unreachable. */
export class HttpAgentClient implements EventSource, AgentDoorClient {
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

  // ---- the process door (agent-protocol.ts) ----

  async kernelReading(rt: RuntimeKey, kernelId: string): Promise<Answered<KernelReading>> {
    const q = new URLSearchParams({ user: rt.user, server: rt.server, kernel: kernelId });
    const a = await this.door('GET', `${KERNEL_READING_PATH}?${q}`);
    return 'missing' in a ? a : { value: readingFromWire(a.value as WireKernelReading) };
  }

  async forgetKernel(rt: RuntimeKey, kernelId: string): Promise<void> {
    await this.door('POST', KERNEL_FORGET_PATH, { user: rt.user, server: rt.server, kernel: kernelId });
  }

  async runtimeProcesses(rt: RuntimeKey): Promise<Answered<RuntimeProcess[]>> {
    const a = await this.door('GET', `${RUNTIME_PROCESSES_PATH}?${new URLSearchParams({ user: rt.user, server: rt.server })}`);
    return 'missing' in a ? a : { value: (a.value as { processes: WireProcess[] }).processes.map(processFromWire) };
  }

  async signal(rt: RuntimeKey, pid: number, signal: SignalName, started?: number): Promise<Answered<null>> {
    const body: WireSignal = { user: rt.user, server: rt.server, pid, signal, ...(started !== undefined ? { started } : {}) };
    const a = await this.door('POST', SIGNAL_PATH, body);
    return 'missing' in a ? a : { value: null };
  }

  private async door(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answered<unknown>> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    if (res.status === 404) {
      const reason = (JSON.parse(text) as Partial<WireNotFound>).reason;
      if (reason) return { missing: reason };
    }
    if (!res.ok) throw new Error(`agent answered ${res.status}: ${text.slice(0, 200)}`);
    return { value: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  private async get(path: string): Promise<unknown> {
    const res = await this.request('GET', path);
    const text = await res.text();
    if (!res.ok) throw new Error(`agent answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }

  private request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    return fetch(new URL(path, this.url), {
      method,
      headers: { authorization: `Bearer ${this.secret}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}
