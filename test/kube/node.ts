import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { V1Node } from '@kubernetes/client-node';
import type { Api } from './api.js';

/**
 * The Node object and its heartbeats, as a kubelet keeps them: registered with capacity and Ready, a Lease
 * in kube-node-lease renewed every 10 s and the status's heartbeat times updated with it, so the node
 * lifecycle controller keeps it Ready, and marks it NotReady (then evicts) when this process dies.
 */
export type NodeSpec = { name: string; cpu: string; memory: string; pods: string; kubeletPort: number };

const micro = () => new Date().toISOString().replace('Z', '000Z');
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const read = (f: string) => {
  try {
    return readFileSync(f, 'utf8').trim();
  } catch {
    return '';
  }
};

const conditions = (at: string, since: string) => [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status (process kubelet, a stand-in node)' },
].map((c) => ({ ...c, lastHeartbeatTime: at, lastTransitionTime: since }));

const nodeStatus = (spec: NodeSpec, since: string) => {
  const resources = { cpu: spec.cpu, memory: spec.memory, pods: spec.pods, 'ephemeral-storage': '100Gi' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: conditions(now(), since),
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: spec.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: spec.kubeletPort } },
    nodeInfo: {
      machineID: read('/etc/machine-id'),
      systemUUID: read('/etc/machine-id'),
      bootID: read('/proc/sys/kernel/random/boot_id'),
      kernelVersion: os.release(),
      osImage: (/PRETTY_NAME="(.*)"/.exec(read('/etc/os-release')) ?? [])[1] ?? 'Linux',
      containerRuntimeVersion: 'process-kubelet://0.1.0',
      kubeletVersion: 'v1.37.2',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
};

export const registerNode = async (api: Api, spec: NodeSpec): Promise<V1Node> => {
  const since = now();
  const existing = await api.find<V1Node>(`/api/v1/nodes/${spec.name}`);
  if (existing) {
    return api.patch<V1Node>(`/api/v1/nodes/${spec.name}/status`, { status: nodeStatus(spec, since) }, 'strategic');
  }
  return api.post<V1Node>('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', 'node.kubernetes.io/instance-type': 'process-kubelet',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
    status: nodeStatus(spec, since),
  });
};

/** Renews the Lease and the node's heartbeat every 10 s; returns a stop function. */
export const keepAlive = (api: Api, spec: NodeSpec, node: V1Node, log: (msg: string) => void): (() => void) => {
  const since = now();
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${spec.name}`;
  const renew = async () => {
    const lease = await api.find<{ metadata: { resourceVersion: string } }>(leasePath);
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: spec.name, namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: spec.name, uid: node.metadata!.uid! }],
      },
      spec: { holderIdentity: spec.name, leaseDurationSeconds: 40, renewTime: micro() },
    };
    if (lease) await api.put(leasePath, { ...body, metadata: { ...body.metadata, resourceVersion: lease.metadata.resourceVersion } });
    else await api.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body);
    await api.patch(`/api/v1/nodes/${spec.name}/status`, { status: { conditions: conditions(now(), since) } }, 'strategic');
  };
  const tick = () => renew().catch((err: unknown) => log(`node heartbeat: ${(err as Error).message}`));
  void tick();
  const timer = setInterval(tick, 10_000);
  return () => clearInterval(timer);
};
