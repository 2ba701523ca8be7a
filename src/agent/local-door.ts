import type { ProcessDoor } from '../core/process-door.js';
import type { Agent } from './agent.js';

/**
 * The process door of the hub's in-process agent (monitoring.embedded_agent): the same Agent methods the
 * agent's API serves, called directly. A kernel is read at once, when asked, as the caller expects.
 */
export const inProcessDoor = (agent: Agent): ProcessDoor => ({
  readKernel: async (rt, kernelId) => {
    try {
      return agent.readKernel(rt, kernelId);
    } catch {
      return undefined;
    }
  },
  forgetKernel: (rt, kernelId) => agent.forgetKernel(rt, kernelId),
  processes: (rt) => agent.runtimeProcesses(rt),
  signal: async (rt, pid, signal, started) => agent.signal(rt, pid, signal, started),
});
