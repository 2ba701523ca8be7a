import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { LogFiles } from '../../core/logs.js';

/**
 * The Kubernetes spawner and what it needs: the API clients (requests counted), the namespace, the shared
 * watches of its runtime pods and of events. Loaded only when spawner.kind is kubernetes (client-node is large).
 */
export const createKubernetesSpawner = async (o: { config: Readonly<Config>; hubId: string; logFiles?: LogFiles | undefined; ids: IdGenerator; clock: Clock; log: Logger; env?: NodeJS.ProcessEnv }) => {
  const { NetworkingV1Api } = await import('@kubernetes/client-node');
  const { loadKube } = await import('../../kube/config.js');
  const { makeCoreApi, makeCountedApi } = await import('../../kube/client.js');
  const { RequestCounter } = await import('../../kube/counter.js');
  const { watchEvents, watchPods } = await import('../../kube/watches.js');
  const { COMPONENTS, LABELS } = await import('../../kube/labels.js');
  const { KubernetesSpawner } = await import('../../spawners/kubernetes/kubernetes-spawner.js');
  const { podProfiles } = await import('../../spawners/kubernetes/profiles.js');
  const c = o.config.kubernetes;
  const { kubeConfig, namespace } = loadKube(c, { env: o.env ?? process.env });
  const counter = new RequestCounter();
  const watch = { kubeConfig, namespace, counter, logger: o.log };
  return new KubernetesSpawner({
    kubeConfig,
    core: makeCoreApi(kubeConfig, counter),
    networking: makeCountedApi(kubeConfig, NetworkingV1Api, counter),
    // Only runtime pods are kept: memory follows what runs, not what else the namespace holds.
    pods: watchPods({ ...watch, podLabels: { [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime } }),
    events: watchEvents(watch),
    settings: {
      namespace,
      instance: o.hubId,
      image: c.image,
      imagePullPolicy: c.image_pull_policy,
      port: c.port,
      storageClass: c.storage_class,
      storageSize: c.storage_size,
      workspacePath: c.workspace_path,
      graceSeconds: o.config.lifecycle.stop_grace_seconds,
    },
    profiles: podProfiles(o.config.profiles),
    deleteClaimsWithUser: c.delete_claims_with_user,
    networkPolicy: c.network_policy,
    ids: o.ids,
    clock: o.clock,
    log: o.log,
    dataDir: o.config.data_dir,
    logFiles: o.logFiles,
  });
};
