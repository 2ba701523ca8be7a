import { z } from 'zod';

/** A Kubernetes resource quantity (apimachinery's resource.Quantity, decimal or binary suffix). */
const quantity = z.string().regex(/^([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'a Kubernetes quantity (500m, 2, 512Mi, 10Gi)');
const pullPolicy = z.enum(['Always', 'IfNotPresent', 'Never']);

/**
 * The `kubernetes.*` keys: where the cluster is and what every runtime pod shares. What differs per profile
 * (image, resources, node selector, …) sits under `profiles.<name>.kubernetes`. Read only when
 * `spawner.kind` is `kubernetes` (or `spawner: kubernetes`).
 */
export const kubernetesSchema = z
  .object({
    kubeconfig: z
      .string()
      .default('')
      .describe('Path of the kubeconfig the hub talks to the API server with. Empty: in cluster (the pod\'s service account).'),
    namespace: z
      .string()
      .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace name (lower-case letters, digits and -)')
      .max(63)
      .default('')
      .describe('Namespace of the runtimes\' pods, claims and secrets. Empty: the kubeconfig context\'s namespace, in cluster the hub\'s own, else default.'),
    image: z
      .string()
      .min(1)
      .default('quay.io/jupyter/base-notebook:2026-11-30')
      .describe('Image of runtime pods whose profile names none. Pods run `jupyter lab` from its PATH with the arguments nbhub gives (profiles.<name>.command replaces them).'),
    image_pull_policy: pullPolicy.default('IfNotPresent').describe('imagePullPolicy of runtime containers whose profile names none.'),
    port: z.number().int().min(1).max(65_535).default(8888).describe('Port runtimes listen on in their pod ({port} in a profile\'s command).'),
    storage_class: z.string().default('').describe('storageClassName of workspace claims whose profile names none. Empty: the cluster\'s default class.'),
    storage_size: quantity.default('1Gi').describe('Size requested by each workspace claim whose profile names none.'),
    workspace_path: z.string().regex(/^\//, 'an absolute path').default('/home/jovyan/work').describe('Where the workspace claim is mounted in runtime pods (Jupyter\'s root dir, {workspace} in a command).'),
    delete_claims_with_user: z
      .boolean()
      .default(true)
      .describe('Deleting a user deletes the workspace claims of their servers. false: the claims stay (an admin deletes them; a user made again with the same name gets them back).'),
    network_policy: z
      .boolean()
      .default(true)
      .describe('Create a NetworkPolicy (once per namespace) letting only the hub\'s and the agents\' pods of this instance reach runtime pods.'),
  })
  .strict();

/** What a profile changes of its pods (`profiles.<name>.kubernetes`); unset keys take kubernetes.* or Kubernetes' defaults. */
export const profileKubernetesSchema = z
  .object({
    image: z.string().min(1).optional().describe('Image of this profile\'s pods (default: kubernetes.image).'),
    image_pull_policy: pullPolicy.optional().describe('imagePullPolicy (default: kubernetes.image_pull_policy).'),
    cpu_request: quantity.optional().describe('CPU requested (a Kubernetes quantity: 0.5, 500m, 2).'),
    cpu_limit: quantity.optional().describe('CPU limit.'),
    memory_request: quantity.optional().describe('Memory requested (a Kubernetes quantity: 512Mi, 2Gi).'),
    memory_limit: quantity.optional().describe('Memory limit.'),
    extra_resources: z
      .record(z.string().regex(/^[a-z0-9.-]+\/[a-z0-9._-]+$/, 'an extended resource name such as nvidia.com/gpu'), quantity)
      .default({})
      .describe('Extended resources, requested and limited alike: {"nvidia.com/gpu": "1"}.'),
    node_selector: z.record(z.string(), z.string()).default({}).describe('nodeSelector of the pods.'),
    tolerations: z.array(z.record(z.string(), z.unknown())).default([]).describe('tolerations of the pods, as Kubernetes spells them.'),
    affinity: z.record(z.string(), z.unknown()).optional().describe('affinity of the pods, as Kubernetes spells it.'),
    service_account: z.string().default('').describe('serviceAccountName of the pods (empty: none mounted, automountServiceAccountToken false).'),
    security_context: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('The container\'s securityContext. Default: runAsNonRoot, runAsUser 1000, allowPrivilegeEscalation false, capabilities drop ALL, seccomp RuntimeDefault.'),
    storage_class: z.string().optional().describe('storageClassName of the workspace claim (default: kubernetes.storage_class).'),
    storage_size: quantity.optional().describe('Size of the workspace claim (default: kubernetes.storage_size).'),
    volumes: z.array(z.record(z.string(), z.unknown())).default([]).describe('Extra volumes of the pods, as Kubernetes spells them.'),
    volume_mounts: z.array(z.record(z.string(), z.unknown())).default([]).describe('Extra volumeMounts of the runtime container.'),
  })
  .strict();

export type ProfileKubernetesConfig = z.infer<typeof profileKubernetesSchema>;

export type KubernetesConfig = z.infer<typeof kubernetesSchema>;

export const SPAWNER_KINDS = ['local', 'kubernetes'] as const;

/** `spawner: kubernetes` (DESIGN.md's spelling) is short for `spawner: {kind: kubernetes}`. */
export const spawnerShorthand = (v: unknown): unknown => (typeof v === 'string' ? { kind: v } : v);
