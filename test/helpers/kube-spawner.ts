import { NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { profileKubernetesSchema } from '../../src/config/kubernetes-schema.js';
import { systemClock } from '../../src/core/clock.js';
import { cryptoIds } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { makeCoreApi, makeCountedApi } from '../../src/kube/client.js';
import { RequestCounter } from '../../src/kube/counter.js';
import { COMPONENTS, LABELS } from '../../src/kube/labels.js';
import { watchEvents, watchPods } from '../../src/kube/watches.js';
import { KubernetesSpawner } from '../../src/spawners/kubernetes/kubernetes-spawner.js';
import type { PodProfile, PodSettings } from '../../src/spawners/kubernetes/objects.js';

/** A pod profile running `command` (placeholders as in config) from `image`. */
export const podProfile = (name: string, command: string[], o: { image?: string; startTimeoutSeconds?: number; kubernetes?: Record<string, unknown> } = {}): PodProfile => ({
  name,
  command,
  environment: {},
  readinessPath: '',
  startTimeoutSeconds: o.startTimeoutSeconds ?? 60,
  kubernetes: profileKubernetesSchema.parse({ image: o.image ?? 'busybox:1.36', ...o.kubernetes }),
});

/**
 * A Kubernetes spawner on a test cluster, with its own watches (as a second hub replica would have) and request
 * counter; `close` stops the watches.
 */
export const kubeSpawner = (kc: KubeConfig, o: { namespace: string; dataDir: string; profiles: PodProfile[]; instance?: string; graceSeconds?: number }) => {
  const counter = new RequestCounter();
  const core = makeCoreApi(kc, counter);
  const watch = { kubeConfig: kc, namespace: o.namespace, counter, logger: silentLogger };
  const pods = watchPods({ ...watch, podLabels: { [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime } });
  const events = watchEvents(watch);
  const settings: PodSettings = {
    namespace: o.namespace,
    instance: o.instance ?? 'hub-test',
    image: 'quay.io/jupyter/base-notebook:2026-11-30',
    imagePullPolicy: 'IfNotPresent',
    port: 8888,
    storageClass: '',
    storageSize: '100Mi',
    workspacePath: '/home/jovyan/work',
    graceSeconds: o.graceSeconds ?? 2,
  };
  const spawner = new KubernetesSpawner({
    kubeConfig: kc,
    core,
    networking: makeCountedApi(kc, NetworkingV1Api, counter),
    pods,
    events,
    settings,
    profiles: new Map(o.profiles.map((p) => [p.name, p])),
    deleteClaimsWithUser: true,
    networkPolicy: true,
    ids: cryptoIds,
    clock: systemClock,
    log: silentLogger,
    dataDir: o.dataDir,
  });
  return { spawner, core, counter, close: () => (pods.stop(), events.stop()) };
};
