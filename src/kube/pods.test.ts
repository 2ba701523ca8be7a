import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { agentPodHosts, hostOf } from './agent-pods.js';
import { ANNOTATIONS, COMPONENTS, LABELS } from './labels.js';
import { runtimePodOf } from './runtime-pods.js';

const runtime = (over: { labels?: Record<string, string>; annotations?: Record<string, string>; phase?: string; ip?: string } = {}): V1Pod => ({
  metadata: {
    uid: 'u-1',
    name: 'rt-ann',
    namespace: 'ns',
    labels: { [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime, [LABELS.instance]: 'hub-1', ...over.labels },
    annotations: { [ANNOTATIONS.user]: 'ann.x@y', [ANNOTATIONS.server]: '', ...over.annotations },
  },
  spec: { containers: [{ name: 'main', ports: [{ containerPort: 8888 }] }] },
  status: { phase: over.phase ?? 'Running', ...(over.ip === '' ? {} : { podIP: over.ip ?? '127.0.3.4' }) },
});

describe('runtimePodOf', () => {
  it('takes the exact user and server from the annotations, the hub from the instance label, the API at the pod IP and its port', () => {
    expect(runtimePodOf(runtime())).toEqual({ uid: 'u-1', namespace: 'ns', name: 'rt-ann', instance: 'hub-1', user: 'ann.x@y', server: '', ip: '127.0.3.4', port: 8888 });
    expect(runtimePodOf(runtime({ ip: '' }))?.ip).toBeNull();
  });
  it('is not a runtime without the component label, the annotations or the instance, or once ended', () => {
    expect(runtimePodOf(runtime({ labels: { [LABELS.component]: COMPONENTS.hub } }))).toBeNull();
    const noUser = runtime();
    delete noUser.metadata?.annotations?.[ANNOTATIONS.user];
    expect(runtimePodOf(noUser)).toBeNull();
    const noInstance = runtime();
    delete noInstance.metadata?.labels?.[LABELS.instance];
    expect(runtimePodOf(noInstance)).toBeNull();
    expect(runtimePodOf(runtime({ phase: 'Succeeded' }))).toBeNull();
    expect(runtimePodOf(runtime({ phase: 'Failed' }))).toBeNull();
  });
});

describe('agent pods', () => {
  it('are reached at the IPs of pods that exist and are not being deleted', () => {
    const pod = (ip: string, o: Partial<V1Pod['metadata']> = {}, phase = 'Running'): V1Pod => ({ metadata: { ...o }, status: { podIP: ip, phase } });
    const hosts = agentPodHosts([pod('127.0.9.1'), pod('127.0.9.2', { deletionTimestamp: new Date() }), pod('127.0.9.3', {}, 'Failed'), { metadata: {}, status: {} }, pod('fd00::5')]);
    expect([...hosts].sort()).toEqual(['127.0.9.1', 'fd00::5']);
    expect(hostOf('http://127.0.9.1:8001')).toBe('127.0.9.1');
    expect(hostOf('http://[fd00::5]:8001/')).toBe('fd00::5');
    expect(hostOf('not a url')).toBeNull();
  });
});
