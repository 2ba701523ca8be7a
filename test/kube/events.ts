import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { Api } from './api.js';

/**
 * core/v1 Events as a kubelet writes them (source kubelet, host the node), a repeat of the same reason and
 * message on the same object counted on the first event, as the kubelet's event correlator does.
 */
export type Recorder = (pod: V1Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string) => void;

export const createRecorder = (api: Api, node: string, log: (msg: string) => void): Recorder => {
  const seen = new Map<string, { name: string; count: number }>();
  return (pod, type, reason, message, fieldPath) => {
    const ns = pod.metadata!.namespace!;
    const key = `${pod.metadata!.uid}|${fieldPath ?? ''}|${reason}|${message}`;
    const now = new Date().toISOString();
    const prior = seen.get(key);
    const write = async () => {
      if (prior) {
        prior.count++;
        await api.patch(`/api/v1/namespaces/${ns}/events/${prior.name}`, { count: prior.count, lastTimestamp: now });
        return;
      }
      const name = `${pod.metadata!.name}.${randomBytes(8).toString('hex')}`;
      seen.set(key, { name, count: 1 });
      if (seen.size > 5000) seen.delete(seen.keys().next().value!);
      await api.post(`/api/v1/namespaces/${ns}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: {
          apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata!.name, uid: pod.metadata!.uid,
          resourceVersion: pod.metadata!.resourceVersion, ...(fieldPath ? { fieldPath } : {}),
        },
        type, reason, message,
        source: { component: 'kubelet', host: node },
        reportingComponent: 'kubelet',
        reportingInstance: node,
        firstTimestamp: now, lastTimestamp: now, count: 1,
      });
    };
    write().catch((err: unknown) => log(`event ${reason} on ${ns}/${pod.metadata!.name}: ${(err as Error).message}`));
  };
};
