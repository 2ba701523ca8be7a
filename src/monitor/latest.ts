import { runtimeKey, type AgentEvent, type RuntimeProcesses } from '../core/events.js';
import type { RuntimeSnapshot } from '../core/usage.js';

interface Live {
  agent: string;
  snapshot: RuntimeSnapshot;
}

/**
 * The latest sweep of every runtime, rebuilt from the events as they are stored (samples, kernels'
 * notebooks, exits) and the agents' latest process lists; what /hub/metrics and the live views read. The
 * runtimes of an agent that does not answer are not shown as current: their state is unknown.
 */
export class LatestView {
  private readonly runtimes = new Map<string, Live>();
  private readonly unreachable = new Set<string>();

  apply(agent: string, events: readonly AgentEvent[]): void {
    for (const e of events) {
      if (e.type === 'lost') continue;
      const key = runtimeKey(e);
      if (e.type === 'runtime' && e.change === 'exited') {
        if (this.runtimes.get(key)?.agent === agent) this.runtimes.delete(key);
        continue;
      }
      let live = this.runtimes.get(key);
      if (!live || live.agent !== agent) {
        // Its time is its first sample's: a runtime or kernel event may come first.
        live = { agent, snapshot: { t: e.type === 'sample' ? e.time : 0, user: e.user, server: e.server, samples: [], processes: [], notebooks: {}, fresh: [], rootCpuSeconds: null } };
        this.runtimes.set(key, live);
      }
      const snap = live.snapshot;
      if (e.type === 'kernel') {
        if (e.change === 'exited') delete snap.notebooks[e.kernel];
        else snap.notebooks[e.kernel] = e.notebooks;
        continue;
      }
      if (e.type !== 'sample') continue;
      // Samples of one sweep share its time: a later one starts the runtime's next snapshot.
      if (e.time > snap.t) live.snapshot = { ...snap, t: e.time, samples: [], fresh: [], rootCpuSeconds: null };
      else if (e.time < snap.t) continue;
      if (e.fresh) live.snapshot.fresh.push(e.kernel);
      if (e.kernel === '') live.snapshot.rootCpuSeconds = e.root_cpu ?? null;
      live.snapshot.samples.push({
        t: e.time,
        user: e.user,
        server: e.server,
        kernel: e.kernel === '' ? null : e.kernel,
        cpuSecondsTotal: e.cpu,
        cpuSecondsFrom: e.cpu_from,
        memoryBytes: e.memory,
      });
    }
  }

  processes(agent: string, lists: readonly RuntimeProcesses[]): void {
    for (const p of lists) {
      const live = this.runtimes.get(runtimeKey(p));
      if (live?.agent === agent) live.snapshot.processes = p.processes;
    }
  }

  setReachable(agent: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(agent);
    else this.unreachable.add(agent);
  }

  /** Forgets an agent this instance no longer pulls. */
  drop(agent: string): void {
    for (const [key, live] of this.runtimes) if (live.agent === agent) this.runtimes.delete(key);
    this.unreachable.delete(agent);
  }

  latest(): RuntimeSnapshot[] {
    return [...this.runtimes.values()].filter((l) => !this.unreachable.has(l.agent)).map((l) => l.snapshot);
  }

  latestOf(user: string, server: string): RuntimeSnapshot | undefined {
    const live = this.runtimes.get(`${user}/${server}`);
    return live && !this.unreachable.has(live.agent) ? live.snapshot : undefined;
  }

  /** The agent whose events carried the runtime last, reachable or not. */
  agentOf(user: string, server: string): string | undefined {
    return this.runtimes.get(`${user}/${server}`)?.agent;
  }

  /** The runtimes this instance knows an agent follows, and whether their monitoring is current. */
  runtimesOf(agent: string): Array<{ user: string; server: string; monitoring: 'ok' | 'unknown' }> {
    const state = this.unreachable.has(agent) ? 'unknown' : 'ok';
    return [...this.runtimes.values()].filter((l) => l.agent === agent).map((l) => ({ user: l.snapshot.user, server: l.snapshot.server, monitoring: state }));
  }
}
