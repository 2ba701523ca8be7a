import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Container, V1EnvVar, V1NetworkPolicy, V1PersistentVolumeClaim, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { ProfileKubernetesConfig } from '../../config/kubernetes-schema.js';
import { withRuntimeEnv, type RuntimeSpec } from '../../core/spawner.js';
import { ANNOTATIONS, COMPONENTS, LABELS } from '../../kube/labels.js';
import { JUPYTER_CONFIG_FILES } from '../local/jupyter-config.js';
import { HUB_IDENTITY_PROVIDER, IDENTITY_MODULE } from '../local/jupyter-identity.js';
import { labelValue, namesOf, runtimeLabels } from './names.js';

/** A profile as the Kubernetes spawner runs it. */
export interface PodProfile {
  name: string;
  /** The profile's own command (placeholders expanded), or empty: the image's `jupyter lab` with nbhub's arguments. */
  command: string[];
  environment: Record<string, string>;
  readinessPath: string;
  startTimeoutSeconds: number;
  kubernetes: ProfileKubernetesConfig;
}

/** What every runtime pod shares (kubernetes.* and the hub's id). */
export interface PodSettings {
  namespace: string;
  /** The hub's id: its replicas share it; the NetworkPolicy admits only this instance's hub and agents. */
  instance: string;
  image: string;
  imagePullPolicy: string;
  port: number;
  storageClass: string;
  storageSize: string;
  workspacePath: string;
  graceSeconds: number;
}

/** Where the ConfigMap of Jupyter's config and nbhub's identity module is mounted. */
export const FILES_PATH = '/etc/nbhub';
export const CONTAINER = 'runtime';
const FILES_VOLUME = 'nbhub-files';
const WORKSPACE_VOLUME = 'workspace';

/** Jupyter's config and the identity module, one ConfigMap per namespace and instance (the same text for every runtime). */
export const filesConfigMapName = (instance: string): string => `nbhub-runtime-files-${createHash('sha256').update(instance).digest('hex').slice(0, 8)}`;
export const networkPolicyName = (instance: string): string => `nbhub-runtimes-${createHash('sha256').update(instance).digest('hex').slice(0, 8)}`;

const instanceLabels = (s: PodSettings, component: string): Record<string, string> => ({
  [LABELS.name]: 'nbhub',
  [LABELS.managedBy]: 'nbhub',
  [LABELS.component]: component,
  [LABELS.instance]: labelValue(s.instance),
});

const meta = (spec: Pick<RuntimeSpec, 'user' | 'server'>, s: PodSettings, name: string, component: string) => ({
  name,
  namespace: s.namespace,
  labels: runtimeLabels(spec.user, spec.server, s.instance, component),
  annotations: { [ANNOTATIONS.user]: spec.user, [ANNOTATIONS.server]: spec.server },
});

/** Kubernetes expands $(VAR) in command, args and env values: '$$' keeps a literal '$' of ours. */
const literal = (v: string): string => v.replace(/\$/g, '$$$$');

/** Placeholders of a profile's command: the pod's IP and the token are references the kubelet fills in, never values in the spec. */
const expand = (arg: string, values: Record<string, string>): string => arg.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/** Runs nbhub's identity provider (given a hash of the secret, never the secret): the default JupyterLab. */
export const usesHubIdentity = (p: PodProfile): boolean => p.command.length === 0;

export const DEFAULT_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  runAsUser: 1000,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
} as const;

/** The container's command and args: the profile's, or the image's entrypoint given JupyterLab's arguments. */
export const commandOf = (p: PodProfile, spec: RuntimeSpec, s: PodSettings): Pick<V1Container, 'command' | 'args'> => {
  const values = { ip: '$(POD_IP)', port: String(s.port), base_url: literal(spec.baseUrl), token: '$(NBHUB_TOKEN)', workspace: literal(s.workspacePath) };
  if (p.command.length > 0) {
    const [program, ...args] = p.command.map((a) => expand(literal(a), values));
    return { command: [program as string], args };
  }
  // `jupyter lab` by name, not the image's entrypoint: docker-stacks images run a start script there that
  // would take these as its own command; jupyter is on their PATH (and on the image stand-in's).
  return {
    command: ['jupyter'],
    args: [
      'lab',
      '--no-browser',
      '--ip=$(POD_IP)',
      `--port=${s.port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.base_url=${literal(spec.baseUrl)}`,
      `--ServerApp.root_dir=${literal(s.workspacePath)}`,
      `--ServerApp.identity_provider_class=${HUB_IDENTITY_PROVIDER}`,
      // Only lets Jupyter run as root where the pod's securityContext allows it (the process kubelet ignores runAsUser).
      '--allow-root',
    ],
  };
};

const fromSecret = (name: string, secret: string, key: string): V1EnvVar => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** The environment: the profile's, what the hub adds, then nbhub's (markers the agents find runtimes by; the secret by reference). */
export const envOf = (p: PodProfile, spec: RuntimeSpec, s: PodSettings): V1EnvVar[] => {
  const names = namesOf(spec.user, spec.server);
  const own = withRuntimeEnv({ ...p.environment, PYTHONPATH: [`${FILES_PATH}/python`, p.environment['PYTHONPATH']].filter(Boolean).join(':') }, spec.environment);
  const plain: Record<string, string> = {
    ...Object.fromEntries(Object.entries(own).filter((e): e is [string, string] => e[1] !== undefined)),
    // A search path, not JUPYTER_CONFIG_DIR: Jupyter writes into that one, and the ConfigMap is read-only.
    JUPYTER_CONFIG_PATH: `${FILES_PATH}/jupyter`,
    PYTHONUNBUFFERED: '1',
    NBHUB_RUNTIME: `${spec.user}/${spec.server}`,
    NBHUB_HUB: s.instance,
    NBHUB_PORT: String(s.port),
    NBHUB_BASE_URL: spec.baseUrl,
  };
  const secret = usesHubIdentity(p)
    ? [fromSecret('NBHUB_AUTH_SHA256', names.secret, 'auth-sha256')]
    : [fromSecret('NBHUB_TOKEN', names.secret, 'token'), ...(/jupyter/.test(p.command[0] ?? '') ? [fromSecret('JUPYTER_TOKEN', names.secret, 'token')] : [])];
  return [
    // First: $(POD_IP) in args and later values refers to it.
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ...secret,
    ...Object.entries(plain)
      .filter(([k]) => k !== 'POD_IP' && !secret.some((e) => e.name === k))
      .map(([name, value]) => ({ name, value })),
  ];
};

const resources = (k: ProfileKubernetesConfig) => {
  const pick = (cpu: string | undefined, memory: string | undefined) => ({
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...k.extra_resources,
  });
  const requests = pick(k.cpu_request, k.memory_request);
  const limits = pick(k.cpu_limit, k.memory_limit);
  return { ...(Object.keys(requests).length > 0 ? { requests } : {}), ...(Object.keys(limits).length > 0 ? { limits } : {}) };
};

/**
 * jupyter_core's marker that IPython 3 config was migrated: without it, Jupyter in a home with ~/.ipython
 * writes it into JUPYTER_CONFIG_DIR, read-only here, and exits (Errno 30).
 */
const MIGRATED_KEY = 'jupyter-migrated';

/** The runtime's pod: restartPolicy Never (a runtime that exits is the reconciler's to judge), the workspace claim at workspacePath. */
export const podOf = (p: PodProfile, spec: RuntimeSpec, s: PodSettings): V1Pod => {
  const names = namesOf(spec.user, spec.server);
  const k = p.kubernetes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(spec, s, names.pod, COMPONENTS.runtime),
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: s.graceSeconds,
      enableServiceLinks: false,
      automountServiceAccountToken: k.service_account !== '',
      ...(k.service_account ? { serviceAccountName: k.service_account } : {}),
      ...(Object.keys(k.node_selector).length > 0 ? { nodeSelector: k.node_selector } : {}),
      ...(k.tolerations.length > 0 ? { tolerations: k.tolerations } : {}),
      ...(k.affinity ? { affinity: k.affinity } : {}),
      containers: [
        {
          name: CONTAINER,
          image: k.image ?? s.image,
          imagePullPolicy: k.image_pull_policy ?? s.imagePullPolicy,
          ...commandOf(p, spec, s),
          env: envOf(p, spec, s),
          workingDir: s.workspacePath,
          ports: [{ name: 'http', containerPort: s.port }],
          resources: resources(k),
          securityContext: (k.security_context ?? DEFAULT_SECURITY_CONTEXT) as V1Container['securityContext'],
          volumeMounts: [
            { name: WORKSPACE_VOLUME, mountPath: s.workspacePath },
            { name: FILES_VOLUME, mountPath: FILES_PATH, readOnly: true },
            ...(k.volume_mounts as unknown as NonNullable<V1Container['volumeMounts']>),
          ],
        },
      ],
      volumes: [
        { name: WORKSPACE_VOLUME, persistentVolumeClaim: { claimName: names.claim } },
        {
          name: FILES_VOLUME,
          configMap: {
            name: filesConfigMapName(s.instance),
            items: [
              ...Object.keys(JUPYTER_CONFIG_FILES).map((f) => ({ key: f, path: `jupyter/${f}` })),
              { key: MIGRATED_KEY, path: 'jupyter/migrated' },
              { key: 'nbhub_identity.py', path: 'python/nbhub_identity.py' },
            ],
          },
        },
        ...(k.volumes as unknown as NonNullable<NonNullable<V1Pod['spec']>['volumes']>),
      ],
    },
  };
};

/** The workspace: kept across stops, deleted by `remove` (or with its user, as config says). */
export const claimOf = (p: PodProfile, spec: Pick<RuntimeSpec, 'user' | 'server'>, s: PodSettings): V1PersistentVolumeClaim => {
  const storageClass = p.kubernetes.storage_class ?? s.storageClass;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(spec, s, namesOf(spec.user, spec.server).claim, COMPONENTS.workspace),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: p.kubernetes.storage_size ?? s.storageSize } },
      ...(storageClass ? { storageClassName: storageClass } : {}),
    },
  };
};

/**
 * The runtime's secret, owned by its pod (the garbage collector deletes it with the pod). The pod reads only
 * what it needs (the hash, for nbhub's identity provider; else the token); the token is kept too, so a hub
 * that adopts a pod it did not finish starting knows what to send.
 */
export const secretOf = (p: PodProfile, spec: Pick<RuntimeSpec, 'user' | 'server'>, s: PodSettings, token: string, owner: V1Pod): V1Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    ...meta(spec, s, namesOf(spec.user, spec.server).secret, COMPONENTS.token),
    ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', blockOwnerDeletion: true }],
  },
  type: 'Opaque',
  stringData: { token, ...(usesHubIdentity(p) ? { 'auth-sha256': createHash('sha256').update(token).digest('hex') } : {}) },
});

export const filesConfigMapOf = (s: PodSettings): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: filesConfigMapName(s.instance), namespace: s.namespace, labels: instanceLabels(s, 'runtime-files') },
  data: { ...JUPYTER_CONFIG_FILES, 'nbhub_identity.py': IDENTITY_MODULE, [MIGRATED_KEY]: 'nbhub: nothing to migrate from IPython 3\n' },
});

/** Runtime pods of this instance accept connections only from its hub's and its agents' pods. */
export const networkPolicyOf = (s: PodSettings): V1NetworkPolicy => {
  const from = (component: string) => ({ podSelector: { matchLabels: { [LABELS.instance]: labelValue(s.instance), [LABELS.component]: component } } });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: networkPolicyName(s.instance), namespace: s.namespace, labels: instanceLabels(s, 'network-policy') },
    spec: {
      podSelector: { matchLabels: { [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime, [LABELS.instance]: labelValue(s.instance) } },
      policyTypes: ['Ingress'],
      // client-node spells `from` as `_from` (a reserved word in its generator); it sends `from`.
      ingress: [{ _from: [from(COMPONENTS.hub), from(COMPONENTS.agent)] }],
    },
  };
};
