import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { claimFailure, eventLine, podEnded, startView } from './pod-state.js';

const pod = (status: V1Pod['status'], meta: V1Pod['metadata'] = {}): V1Pod => ({ metadata: { name: 'p', uid: 'u', ...meta }, status });

describe('kubernetes pod state', () => {
  it('waits for an address, then has one', () => {
    expect(startView(undefined)).toEqual({ kind: 'gone' });
    expect(startView(pod({ phase: 'Pending' }))).toEqual({ kind: 'waiting' });
    // An address before the image is pulled is not enough.
    expect(startView(pod({ phase: 'Pending', podIP: '127.1.0.2' }))).toEqual({ kind: 'waiting' });
    const started = [{ name: 'runtime', image: 'i', imageID: '', ready: false, restartCount: 0, state: { running: { startedAt: new Date() } } }];
    expect(startView(pod({ phase: 'Running', podIP: '127.1.0.2', containerStatuses: started }))).toEqual({ kind: 'addressed', ip: '127.1.0.2' });
    // A secret not there yet (created just after the pod): the kubelet retries, so does the start.
    expect(startView(pod({ phase: 'Pending', containerStatuses: [{ name: 'runtime', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "x" not found' } } }] }))).toEqual({ kind: 'waiting' });
  });

  it('fails fast with Kubernetes\' reason: an image that cannot be pulled, a pod no node can take, a claim that cannot bind', () => {
    const waiting = (reason: string, message: string) => pod({ phase: 'Pending', containerStatuses: [{ name: 'runtime', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } }] });
    expect(startView(waiting('ImagePullBackOff', 'Back-off pulling image "nope"'))).toEqual({ kind: 'failed', reason: 'ImagePullBackOff: Back-off pulling image "nope"' });
    expect(startView(waiting('ErrImagePull', 'not found'))).toMatchObject({ kind: 'failed', reason: /^ErrImagePull/ });
    const unschedulable = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient cpu.' }] });
    expect(startView(unschedulable)).toEqual({ kind: 'failed', reason: 'Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.' });
    const claimPending = pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. not found' }] });
    expect(startView(claimPending)).toEqual({ kind: 'waiting' });
    const ev = { metadata: {}, involvedObject: { kind: 'PersistentVolumeClaim', name: 'c' }, type: 'Warning', reason: 'ProvisioningFailed', message: 'storageclass "nope" not found' };
    expect(claimFailure(ev)).toBe('the workspace claim cannot bind: ProvisioningFailed: storageclass "nope" not found');
    expect(claimFailure({ ...ev, type: 'Normal', reason: 'ExternalProvisioning' })).toBeNull();
    expect(startView(pod({ phase: 'Pending' }), 'the workspace claim cannot bind: x')).toEqual({ kind: 'failed', reason: 'the workspace claim cannot bind: x' });
  });

  it('reads an end: the container\'s exit code, eviction with its reason, a pod being deleted', () => {
    const exited = pod({ phase: 'Failed', containerStatuses: [{ name: 'runtime', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 7 } } }] });
    expect(podEnded(exited)).toEqual({ exitCode: 7, signal: null, reason: null });
    expect(podEnded(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }))).toEqual({ exitCode: null, signal: null, reason: 'Evicted: The node was low on resource: memory.' });
    expect(podEnded(pod({ phase: 'Running', podIP: '127.1.0.2' }, { deletionTimestamp: new Date() }))).toMatchObject({ reason: 'the pod is being deleted' });
    expect(podEnded(pod({ phase: 'Running' }))).toBeNull();
    const killed = pod({ phase: 'Failed', containerStatuses: [{ name: 'runtime', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] });
    expect(podEnded(killed)).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    expect(startView(exited)).toMatchObject({ kind: 'ended' });
    // Ran and exited before the start saw it running: launched, poll tells the exit.
    expect(startView({ ...exited, status: { ...exited.status, podIP: '127.1.0.3' } })).toEqual({ kind: 'addressed', ip: '127.1.0.3' });
  });

  it('writes events as kubectl describe shows them', () => {
    expect(eventLine({ metadata: {}, involvedObject: { kind: 'Pod', name: 'p' }, type: 'Normal', reason: 'Pulled', message: 'Successfully pulled image "x" in 1.2s. Image size: 1000 bytes.' })).toBe(
      '[kubernetes pod] Pulled: Successfully pulled image "x" in 1.2s. Image size: 1000 bytes.',
    );
  });
  it('tells why the control plane ended a pod: its node gone (PodGC), unreachable (taint manager), evicted', () => {
    const gc = pod(
      { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' }] },
      { deletionTimestamp: new Date() },
    );
    expect(podEnded(gc)).toEqual({ exitCode: null, signal: null, reason: 'DeletionByPodGC: PodGC: node no longer exists' });
    // The kubelet's own reason (node-pressure eviction) comes first.
    expect(podEnded(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' }))?.reason).toBe('Evicted: The node was low on resource: memory.');
    expect(podEnded(pod({ phase: 'Running' }, { deletionTimestamp: new Date() }))?.reason).toBe('the pod is being deleted');
  });
});
