import type { Clock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import { runtimeKey, type RuntimeKey } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { describeServer } from '../core/names.js';
import type { KernelReading, ProcessDoor, RuntimeProcess, RuntimeRef, SignalName, SignalOutcome } from '../core/process-door.js';
import type { AgentRecord } from '../core/store.js';
import type { AgentDoorClient, Answered } from './agent-client.js';

export interface RemoteDoorOptions {
  /** The registered agents (the store's). */
  agents: { list(): Promise<AgentRecord[]> };
  /** The agent whose events carried the runtime, as far as this hub instance knows. */
  reporterOf(user: string, server: string): string | undefined;
  /** A client of one agent's API (the CLI builds it: HttpAgentClient). */
  connect(rec: AgentRecord): AgentDoorClient;
  clock: Clock;
  log: Logger;
}

/** The registered agents are read again at most this often. */
const AGENTS_TTL_MS = 5_000;

/**
 * The process door over the agents' API (monitoring.embedded_agent off; on Kubernetes, one agent per node):
 * the agent that reports the runtime is asked, then the one that answered for it last, then every other
 * registered agent in turn, until one finds the runtime. Readings of one kernel are asked one after the
 * other, so each is taken after the one before, as the execution book expects.
 */
export class RemoteProcessDoor implements ProcessDoor {
  private registered: { at: number; list: Promise<AgentRecord[]> } | undefined;
  private readonly clients = new Map<string, { key: string; client: AgentDoorClient }>();
  /** By runtime: the agent that found it last. */
  private readonly answered = new Map<string, string>();
  private readonly tails = new Map<string, Promise<KernelReading | undefined>>();

  constructor(private readonly o: RemoteDoorOptions) {}

  readKernel(rt: RuntimeRef, kernelId: string): Promise<KernelReading | undefined> {
    const key = `${runtimeKey(rt)}/${kernelId}`;
    const read = async () => {
      const a = await this.ask(rt, (c) => c.kernelReading(rt, kernelId));
      return a !== 'unreachable' && 'value' in a ? a.value : undefined;
    };
    const next = (this.tails.get(key) ?? Promise.resolve(undefined)).then(read).catch(() => undefined);
    this.tails.set(key, next);
    void next.finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  forgetKernel(rt: RuntimeRef, kernelId: string): void {
    const id = this.answered.get(runtimeKey(rt));
    const client = id === undefined ? undefined : this.clients.get(id)?.client;
    client?.forgetKernel(rt, kernelId).catch((err: unknown) => this.o.log.debug({ err, agent: id }, 'process door: agent not told to forget a kernel'));
  }

  async processes(rt: RuntimeRef): Promise<RuntimeProcess[] | undefined> {
    const a = await this.ask(rt, (c) => c.runtimeProcesses(rt));
    if (a === 'unreachable') throw unreachable(rt);
    return 'value' in a ? a.value : undefined;
  }

  async signal(rt: RuntimeRef, pid: number, signal: SignalName, started?: number): Promise<SignalOutcome> {
    const a = await this.ask(rt, (c) => c.signal(rt, pid, signal, started));
    if (a === 'unreachable') throw unreachable(rt);
    if ('value' in a) return 'signalled';
    return a.missing === 'no-such-process' ? 'no-such-process' : 'no-such-runtime';
  }

  /** Asks the agents in turn until one finds the runtime; 'unreachable' when none could be asked at all. */
  private async ask<T>(rt: RuntimeKey, work: (c: AgentDoorClient) => Promise<Answered<T>>): Promise<Answered<T> | 'unreachable'> {
    const key = runtimeKey(rt);
    let reached = false;
    for (const rec of await this.candidates(rt)) {
      let a: Answered<T>;
      try {
        a = await work(this.client(rec));
      } catch (err) {
        this.o.log.debug({ err: (err as Error).message, agent: rec.id }, 'process door: agent did not answer');
        continue;
      }
      reached = true;
      if ('missing' in a && a.missing === 'no-such-runtime') continue;
      this.answered.set(key, rec.id);
      return a;
    }
    this.answered.delete(key);
    return reached ? { missing: 'no-such-runtime' } : 'unreachable';
  }

  private async candidates(rt: RuntimeKey): Promise<AgentRecord[]> {
    const now = this.o.clock.now();
    if (!this.registered || now - this.registered.at >= AGENTS_TTL_MS) {
      const list = this.o.agents.list();
      // A store that fails is asked again next time.
      list.catch(() => (this.registered = undefined));
      this.registered = { at: now, list };
    }
    const all = (await this.registered.list).filter((a) => a.url !== null);
    const first = [this.o.reporterOf(rt.user, rt.server), this.answered.get(runtimeKey(rt))];
    const rank = (a: AgentRecord) => {
      const i = first.indexOf(a.id);
      // Then the agents whose last pull worked, then the rest.
      return i >= 0 ? i : a.lastError === null ? 2 : 3;
    };
    return all.sort((a, b) => rank(a) - rank(b));
  }

  private client(rec: AgentRecord): AgentDoorClient {
    const key = `${rec.url}\u0000${rec.secret}`;
    const cur = this.clients.get(rec.id);
    if (cur?.key === key) return cur.client;
    const client = this.o.connect(rec);
    this.clients.set(rec.id, { key, client });
    return client;
  }
}

const unreachable = (rt: RuntimeKey) =>
  new HubError('UNAVAILABLE', `No agent could be asked about ${describeServer(rt.user, rt.server)}: is an agent running beside it?`);
