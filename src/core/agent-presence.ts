/**
 * Whether a separate agent still exists, from outside the agent (on Kubernetes: its pod). An agent that is
 * gone is shown as such and not pulled: its lease is released. Absent: every registered agent is pulled.
 */
export interface AgentPresence {
  /** True when the agent registered at `url` is known to be gone (false while not known yet). */
  gone(url: string): boolean;
  /** Called when the agents present change (a new agent pod, one gone). */
  onChange(listener: () => void): void;
  close(): void;
}
