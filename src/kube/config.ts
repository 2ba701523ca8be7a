import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../config/load.js';
import type { KubernetesConfig } from '../config/kubernetes-schema.js';

/** Where a pod finds its service account (the same paths client-node's loadFromCluster reads). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeTarget {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The API server's URL, for messages. */
  server: string;
}

export interface LoadKubeOptions {
  /** The process environment (in cluster: KUBERNETES_SERVICE_HOST/PORT). */
  env: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

/**
 * The API server nbhub talks to and the namespace of its objects, from `kubernetes.kubeconfig` (a file) or,
 * when it is empty, the pod's service account. What cannot be read stops the hub with a message naming the key.
 */
export const loadKube = (config: Pick<KubernetesConfig, 'kubeconfig' | 'namespace'>, options: LoadKubeOptions): KubeTarget => {
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const kc = new KubeConfig();
  let contextNamespace: string | undefined;
  if (config.kubeconfig !== '') {
    try {
      kc.loadFromFile(config.kubeconfig);
    } catch (err) {
      throw new ConfigError(`kubernetes.kubeconfig: cannot read ${config.kubeconfig}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ConfigError(`kubernetes.kubeconfig: ${config.kubeconfig} has no current context with a cluster`);
    contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  } else {
    if (!options.env['KUBERNETES_SERVICE_HOST']) {
      throw new ConfigError('kubernetes.kubeconfig is empty (in cluster), but KUBERNETES_SERVICE_HOST is not set: this is not a pod; set kubernetes.kubeconfig to a kubeconfig file');
    }
    try {
      readFileSync(`${saDir}/token`);
    } catch (err) {
      throw new ConfigError(`kubernetes.kubeconfig is empty (in cluster), but the service account token cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    kc.loadFromCluster();
    contextNamespace = readOptional(`${saDir}/namespace`)?.trim();
  }
  const namespace = config.namespace !== '' ? config.namespace : contextNamespace || 'default';
  return { kubeConfig: kc, namespace, server: kc.getCurrentCluster()?.server ?? '' };
};

const readOptional = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
