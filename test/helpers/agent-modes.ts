import { startTestAgent, type TestAgent } from './agent.js';
import { startTestHub, type TestHub } from './hub.js';

/**
 * The two ways the hub learns about a runtime's processes (DESIGN.md idea 8): its in-process agent, or a
 * separate `nbhub agent` (monitoring.embedded_agent off), whose API is then the hub's only door to them.
 */
export const AGENT_MODES = [
  { mode: 'embedded agent', embedded: true },
  { mode: 'separate nbhub agent', embedded: false },
] as const;

export type AgentMode = (typeof AGENT_MODES)[number];

export interface HubInMode {
  hub: TestHub;
  /** The separate agent, when there is one. */
  agent: TestAgent | undefined;
  dispose(): Promise<void>;
}

/**
 * A hub with `monitoring` (YAML lines under the key, indented two spaces) in the given mode; with a
 * separate agent, the agent is started and registered (with an admin's token) before this returns.
 */
export const startHubInMode = async (m: AgentMode, monitoring: string): Promise<HubInMode> => {
  const hub = await startTestHub({ config: `monitoring:\n${monitoring}${m.embedded ? '' : '  embedded_agent: false\n'}` });
  if (m.embedded) return { hub, agent: undefined, dispose: () => hub.dispose() };
  let agent: TestAgent | undefined;
  try {
    const admin = hub.addUser('agent-admin', { admin: true });
    agent = await startTestAgent({ hub: hub.url, token: admin });
    const id = agent.identity().id;
    // Registered: the hub knows where to ask it (beforeAll runs outside a test: no expect.poll here).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = await hub.api('/hub/api/agents', { token: admin });
      if (r.ok && ((await r.json()) as { agents: Array<{ id: string }> }).agents.some((a) => a.id === id)) break;
      if (Date.now() > deadline) throw new Error(`the agent did not register:\n${agent.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    await agent?.dispose();
    await hub.dispose();
    throw err;
  }
  const started = agent;
  return {
    hub,
    agent: started,
    dispose: async () => {
      await started.dispose();
      await hub.dispose();
    },
  };
};
