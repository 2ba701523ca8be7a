import { z } from 'zod';

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
  })
  .strict();

export type KubernetesConfig = z.infer<typeof kubernetesSchema>;

export const SPAWNER_KINDS = ['local', 'kubernetes'] as const;

/** `spawner: kubernetes` (DESIGN.md's spelling) is short for `spawner: {kind: kubernetes}`. */
export const spawnerShorthand = (v: unknown): unknown => (typeof v === 'string' ? { kind: v } : v);
