import { constants } from 'node:os';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

/** Container waiting reasons that no wait cures: a start fails at once with Kubernetes' own words. */
const HOPELESS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerError', 'RunContainerError']);

/** What a start waits for, read from the pod as the cache holds it. */
export type StartView =
  | { kind: 'gone' }
  | { kind: 'waiting' }
  | { kind: 'addressed'; ip: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'ended'; exit: Ended };

export interface Ended {
  exitCode: number | null;
  signal: string | null;
  /** Kubernetes' reason for an end the container did not choose (Evicted, NodeLost, …), else null. */
  reason: string | null;
}

const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.find((c) => c.state?.terminated)?.state?.terminated;

const signalName = (n: number | undefined): string | null => {
  if (n === undefined || n === 0) return null;
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? null;
};

/** A pod that will not run again: finished, or being deleted. */
export const podEnded = (pod: V1Pod): Ended | null => {
  const phase = pod.status?.phase;
  if (phase !== 'Failed' && phase !== 'Succeeded' && !pod.metadata?.deletionTimestamp) return null;
  const t = terminated(pod);
  const statusReason = pod.status?.reason ? `${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''}` : null;
  // Why the control plane ended it, when it did (PodGC for a pod of a node that is gone, the taint manager for a
  // node unreachable too long, the eviction API): Kubernetes writes it as the DisruptionTarget condition.
  const d = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  const disrupted = d ? `${d.reason ?? 'DisruptionTarget'}${d.message ? `: ${d.message}` : ''}` : null;
  return {
    exitCode: t?.exitCode ?? null,
    signal: signalName(t?.signal),
    reason: statusReason ?? disrupted ?? (pod.metadata?.deletionTimestamp && !t ? 'the pod is being deleted' : null),
  };
};

/**
 * Where a start stands: an address with a started container (the runtime may still be starting inside:
 * readiness says when it is ready), an end, or a reason to give up now: an image that cannot be pulled, a pod no node can take, a
 * claim that cannot bind (`claimFailure`, from its events).
 */
export const startView = (pod: V1Pod | undefined, claimFailure: string | null = null): StartView => {
  if (!pod) return { kind: 'gone' };
  const ended = podEnded(pod);
  // A container that ran and exited already: launched all the same, its exit is poll's to report (with its code and output).
  if (ended && !pod.metadata?.deletionTimestamp && terminated(pod) && pod.status?.podIP) return { kind: 'addressed', ip: pod.status.podIP };
  if (ended) return { kind: 'ended', exit: ended };
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && HOPELESS.has(w.reason)) return { kind: 'failed', reason: `${w.reason}: ${w.message ?? ''}`.trim() };
  }
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  // "pod has unbound immediate PersistentVolumeClaims": the scheduler retries once the claim binds; a claim
  // that cannot bind says so in its own events (claimFailure).
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' && !/unbound .*PersistentVolumeClaims/i.test(scheduled.message ?? '')) return { kind: 'failed', reason: `Unschedulable: ${scheduled.message ?? ''}`.trim() };
  if (claimFailure) return { kind: 'failed', reason: claimFailure };
  // The address comes with the pod's sandbox, before the image is pulled: only a started container counts.
  const running = pod.status?.containerStatuses?.some((c) => c.state?.running);
  if (pod.status?.podIP && running) return { kind: 'addressed', ip: pod.status.podIP };
  return { kind: 'waiting' };
};

/** Claim events after which it will not bind by itself (the PV controller's and provisioners' reasons). */
const CLAIM_FAILURES = new Set(['ProvisioningFailed', 'FailedBinding', 'ClaimLost', 'VolumeMismatch']);

export const claimFailure = (ev: CoreV1Event): string | null =>
  ev.type === 'Warning' && ev.reason && CLAIM_FAILURES.has(ev.reason) ? `the workspace claim cannot bind: ${ev.reason}: ${ev.message ?? ''}`.trim() : null;

/** One line of a start's log for an event, as `kubectl describe` shows them. */
export const eventLine = (ev: CoreV1Event): string => {
  const kind = ev.involvedObject.kind === 'PersistentVolumeClaim' ? 'claim' : 'pod';
  return `[kubernetes ${kind}] ${ev.type === 'Warning' ? 'Warning ' : ''}${ev.reason ?? ''}: ${(ev.message ?? '').trim()}`;
};
