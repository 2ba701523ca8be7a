import type { V1ContainerState, V1ContainerStateTerminated, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './env.js';
import type { QosClass } from './cgroups.js';

/** Pure decisions of the process kubelet: QoS class, restarts, phase, conditions, as a kubelet makes them. */

/** BestEffort without any cpu/memory request or limit; Guaranteed when every container's equal limits and requests; else Burstable. */
export const qosClass = (pod: V1Pod): QosClass => {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const q = (v: unknown) => parseQuantity(String(v));
  let any = false;
  let guaranteed = true;
  // As the kubelet's GetPodQOS: only quantities above zero count (a request of "0" is none).
  const positive = (v: unknown) => (v === undefined || q(v) <= 0 ? undefined : v);
  for (const c of all) {
    for (const r of ['cpu', 'memory']) {
      const lim = positive(c.resources?.limits?.[r]);
      const req = positive(c.resources?.requests?.[r]) ?? lim; // requests default to limits
      if (req !== undefined || lim !== undefined) any = true;
      if (lim === undefined || req === undefined || q(req) !== q(lim)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
};

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export const shouldRestart = (policy: RestartPolicy, exitCode: number) =>
  policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);

/** Back-off before restart number `restarts` (1-based): 10 s doubling to 5 minutes, as a kubelet's. */
export const restartBackoffMs = (restarts: number, baseMs = 10_000) => Math.min(baseMs * 2 ** Math.max(0, restarts - 1), 300_000);

export type ContainerView = { state: V1ContainerState; restarted: boolean };

/**
 * The pod phase as kubelet's getPhase computes it: Pending while initialising or while a container has never
 * started; Running while one runs; once all stopped, Running if they restart (Always, OnFailure after a
 * failure), Succeeded if all exited 0, else Failed. `terminal`: the pod is being finished (deleted, or its
 * init failed for good), nothing restarts.
 */
export const podPhase = (
  policy: RestartPolicy,
  initDone: boolean,
  containers: ContainerView[],
  terminal = false,
): 'Pending' | 'Running' | 'Succeeded' | 'Failed' => {
  let waiting = 0, running = 0, stopped = 0, succeeded = 0;
  for (const c of containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.restarted) stopped++;
    else waiting++;
  }
  if (terminal) return stopped > 0 && stopped === succeeded && waiting === 0 && running === 0 ? 'Succeeded' : 'Failed';
  if (!initDone || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (policy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return policy === 'Never' ? 'Failed' : 'Running';
};

export const terminatedReason = (exitCode: number, oomKilled: boolean) => (oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error');

/** Exit status as a container runtime reports it: a signal is 128 + its number. */
export const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): { exitCode: number; signal?: number } => {
  if (code !== null) return { exitCode: code };
  const n = signal ? (SIGNALS[signal] ?? 15) : 15;
  return { exitCode: 128 + n, signal: n };
};

const SIGNALS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export type Terminated = V1ContainerStateTerminated;
