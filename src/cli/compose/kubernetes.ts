import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { LogFiles } from '../../core/logs.js';

/**
 * The Kubernetes spawner and what it needs: the API clients, the namespace, the shared watches of pods and
 * events. Loaded only when spawner.kind is kubernetes (client-node is large).
 */
export const createKubernetesSpawner = async (o: { config: Readonly<Config>; hubId: string; logFiles?: LogFiles | undefined; ids: IdGenerator; clock: Clock; log: Logger }) => {
  const k8s = await import('@kubernetes/client-node');
  const { KubernetesSpawner } = await import('../../spawners/kubernetes/kubernetes-spawner.js');
  const { InterimWatch } = await import('../../spawners/kubernetes/interim-watch.js');
  const { podProfiles } = await import('../../spawners/kubernetes/profiles.js');
  const { ConfigError } = await import('../../config/load.js');
  const c = o.config.kubernetes;
  // INTERIM: src/kube/config.ts (loadKube) replaces this once the watch helper's branch is on main.
  const kc = new k8s.KubeConfig();
  let contextNamespace: string | undefined;
  try {
    if (c.kubeconfig) {
      kc.loadFromFile(c.kubeconfig);
      contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
    } else kc.loadFromCluster();
  } catch (err) {
    throw new ConfigError(`kubernetes.kubeconfig: cannot load ${c.kubeconfig || 'the in-cluster config'}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const namespace = c.namespace || contextNamespace || 'default';
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const pods = new InterimWatch<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace }), true);
  const events = new InterimWatch<CoreV1Event>(kc, `/api/v1/namespaces/${namespace}/events`, () => core.listNamespacedEvent({ namespace }), false);
  return new KubernetesSpawner({
    kubeConfig: kc,
    core,
    networking: kc.makeApiClient(k8s.NetworkingV1Api),
    pods,
    events,
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
