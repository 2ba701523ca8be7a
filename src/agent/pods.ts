/**
 * A runtime pod on this agent's node, as the agent needs it (from the API: src/kube/runtime-pods.ts). Who the
 * runtime is comes from the pod's annotations, never from its processes, so a process cannot claim to be
 * another runtime.
 */
export interface RuntimePod {
  uid: string;
  namespace: string;
  name: string;
  /** The hub the pod belongs to (its instance label, kube/labels.ts instanceLabel): an agent follows only its hub's runtimes. */
  instance: string;
  user: string;
  server: string;
  /** Where the runtime's API listens (the pod IP and its first container port); null until known. */
  ip: string | null;
  port: number | null;
}

/** Where an agent in node mode learns its node's runtime pods (a watch of the API); null until first listed. */
export interface RuntimePods {
  pods(): RuntimePod[] | null;
  close(): void;
}
