import type { V1Pod } from '@kubernetes/client-node';
import { COMPONENTS, LABELS } from '../../src/kube/labels.js';

/**
 * `nbhub agent` as a pod, the way the chart's DaemonSet runs it (deploy/helm/nbhub): node and address from the
 * downward API, its event log in `dataDir` on the node. It reads pods with the test's kubeconfig (cluster
 * admin) rather than a service account of its own, which would need the chart's RBAC.
 */
export const agentPod = (o: {
  name: string;
  node: string;
  instance: string;
  hubUrl: string;
  token: string;
  dataDir: string;
  namespace: string;
  kubeconfig: string;
  hostPID?: boolean;
  graceSeconds?: number;
}): V1Pod => ({
  metadata: { name: o.name, labels: { [LABELS.name]: 'nbhub', [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.agent, [LABELS.instance]: o.instance } },
  spec: {
    nodeName: o.node,
    ...(o.hostPID ? { hostPID: true } : {}),
    terminationGracePeriodSeconds: o.graceSeconds ?? 10,
    containers: [
      {
        name: 'agent',
        image: 'nbhub/nbhub',
        args: ['agent', '--hub', o.hubUrl, '--port', '8001', '--data-dir', o.dataDir],
        ports: [{ containerPort: 8001 }],
        env: [
          { name: 'NBHUB_AGENT_TOKEN', value: o.token },
          { name: 'NBHUB_AGENT_LOG_LEVEL', value: 'warn' },
          { name: 'NBHUB_AGENT_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NBHUB_AGENT_KUBERNETES_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'NBHUB_AGENT_KUBERNETES_NAMESPACE', value: o.namespace },
          { name: 'NBHUB_AGENT_KUBERNETES_KUBECONFIG', value: o.kubeconfig },
        ],
      },
    ],
  },
});
