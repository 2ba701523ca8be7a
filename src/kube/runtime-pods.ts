import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../core/logger.js';
import type { RuntimePod, RuntimePods } from '../agent/pods.js';
import { RequestCounter } from './counter.js';
import { ANNOTATIONS, COMPONENTS, LABELS } from './labels.js';
import { watchPods } from './watches.js';

/** The runtime a pod runs, from its labels and annotations (what the spawner wrote); null if it is not one, or has ended. */
export const runtimePodOf = (pod: V1Pod): RuntimePod | null => {
  const md = pod.metadata;
  const labels = md?.labels ?? {};
  const notes = md?.annotations ?? {};
  const user = notes[ANNOTATIONS.user];
  const server = notes[ANNOTATIONS.server];
  const instance = labels[LABELS.instance];
  if (!md?.uid || !md.name || labels[LABELS.component] !== COMPONENTS.runtime || !user || server === undefined || !instance) return null;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return null;
  const port = pod.spec?.containers[0]?.ports?.[0]?.containerPort ?? null;
  return { uid: md.uid, namespace: md.namespace ?? '', name: md.name, instance, user, server, ip: pod.status?.podIP || null, port };
};

/** What selects a node's runtime pods: nbhub's runtime component, bound to `node`. */
export const nodeSelectors = (node: string) => ({
  labels: { [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime },
  fieldSelector: `spec.nodeName=${node}`,
});

/** `nbhub agent` in node mode: the runtime pods on its node, from the shared list-watch (watch-cache.ts). */
export const nodeRuntimePods = (kc: KubeConfig, o: { node: string; namespace: string; log: Logger }): RuntimePods => {
  const counter = new RequestCounter();
  const { labels, fieldSelector } = nodeSelectors(o.node);
  const cache = watchPods({ kubeConfig: kc, namespace: o.namespace, counter, logger: o.log, podLabels: labels, podFields: fieldSelector });
  let synced = false;
  void cache.synced().then(() => (synced = true));
  return {
    pods: () => (synced ? cache.list().flatMap((p) => runtimePodOf(p) ?? []) : null),
    close: () => cache.stop(),
  };
};
