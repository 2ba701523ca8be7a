import { CoreV1Api, NetworkingV1Api, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { profileKubernetesSchema } from '../../src/config/kubernetes-schema.js';
import { systemClock } from '../../src/core/clock.js';
import { cryptoIds } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { InterimWatch } from '../../src/spawners/kubernetes/interim-watch.js';
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
 * A Kubernetes spawner on a test cluster, with its own watches (as a second hub replica would have); `close`
 * stops them.
 */
export const kubeSpawner = (kc: KubeConfig, o: { namespace: string; dataDir: string; profiles: PodProfile[]; instance?: string; graceSeconds?: number }) => {
  const core = kc.makeApiClient(CoreV1Api);
  const pods = new InterimWatch<V1Pod>(kc, `/api/v1/namespaces/${o.namespace}/pods`, () => core.listNamespacedPod({ namespace: o.namespace }), true);
  const events = new InterimWatch<CoreV1Event>(kc, `/api/v1/namespaces/${o.namespace}/events`, () => core.listNamespacedEvent({ namespace: o.namespace }), false);
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
    networking: kc.makeApiClient(NetworkingV1Api),
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
  return { spawner, core, close: () => (pods.stop(), events.stop()) };
};
