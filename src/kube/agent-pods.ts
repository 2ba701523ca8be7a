import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { AgentPresence } from '../core/agent-presence.js';
import type { Logger } from '../core/logger.js';
import { COMPONENTS, instanceLabel, LABELS } from './labels.js';
import { RequestCounter } from './counter.js';
import { watchPods } from './watches.js';

/** The hosts node agents are reached at: the IPs of this hub's agent pods that exist and are not being deleted. */
export const agentPodHosts = (pods: readonly V1Pod[]): Set<string> =>
  new Set(pods.flatMap((p) => (p.metadata?.deletionTimestamp || !p.status?.podIP || p.status.phase === 'Succeeded' || p.status.phase === 'Failed' ? [] : [p.status.podIP])));

/** The host of an agent's URL, as a pod IP is written (an IPv6 address without its brackets). */
export const hostOf = (url: string): string | null => {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
};

/**
 * Node agents on Kubernetes (spawner.kind kubernetes): a registered agent is the agent pod (labels component
 * agent, instance this hub) whose IP its URL names. Once the pods are listed, an agent whose URL names no
 * such pod is gone: its pod was deleted (or it was never one: with runtimes in pods, agents are pods too).
 */
export const agentPodPresence = (kc: KubeConfig, o: { namespace: string; hubId: string; log: Logger }): AgentPresence => {
  const counter = new RequestCounter();
  const labels = { [LABELS.component]: COMPONENTS.agent, [LABELS.instance]: instanceLabel(o.hubId) };
  const cache = watchPods({ kubeConfig: kc, namespace: o.namespace, counter, logger: o.log, podLabels: labels });
  let hosts: Set<string> | null = null;
  const listeners: Array<() => void> = [];
  const update = () => {
    const next = agentPodHosts(cache.list());
    const changed = hosts === null || next.size !== hosts.size || [...next].some((h) => !hosts?.has(h));
    hosts = next;
    if (changed) for (const l of listeners) l();
  };
  // Known only once listed: before that no agent is taken for gone.
  void cache.synced().then(() => {
    cache.on(update);
    update();
  });
  return {
    gone: (url) => {
      if (hosts === null) return false;
      const host = hostOf(url);
      return host === null || !hosts.has(host);
    },
    onChange: (l) => void listeners.push(l),
    close: () => cache.stop(),
  };
};
