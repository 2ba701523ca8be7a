import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { Log, type CoreV1Api, type CoreV1Event, type KubeConfig, type NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import type { AppLaunched, AppLauncher } from '../../core/apps.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { LogFiles } from '../../core/logs.js';
import type { Logger } from '../../core/logger.js';
import type { Launched, PollResult, RuntimeSpec, Spawner, SpawnerHandle } from '../../core/spawner.js';
import type { ObjectCache, ObjectStream } from '../../kube/cache.js';
import { apiMessage, apiStatus, isConflict } from '../../kube/errors.js';
import { COMPONENTS, namesOf, runtimeSelector, selectorString } from './names.js';
import { claimOf, CONTAINER, filesConfigMapOf, networkPolicyOf, podOf, secretOf, type PodProfile, type PodSettings } from './objects.js';
import { claimFailure, eventLine, podEnded, startView, type Ended } from './pod-state.js';

export interface KubernetesHandle extends SpawnerHandle {
  kind: 'kubernetes';
  namespace: string;
  pod: string;
  uid: string;
  claim: string;
  /** The start's log file (events and the container's output, as this hub saw them). */
  log: string;
}

export interface KubernetesSpawnerOptions {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  networking: NetworkingV1Api;
  /** The shared watch of the namespace's pods and events (src/kube): poll reads it, no request per runtime. */
  pods: ObjectCache<V1Pod>;
  events: ObjectStream<CoreV1Event>;
  settings: PodSettings;
  profiles: ReadonlyMap<string, PodProfile | { name: string; error: string }>;
  /** kubernetes.delete_claims_with_user: a user's deletion deletes their claims. */
  deleteClaimsWithUser: boolean;
  /** kubernetes.network_policy. */
  networkPolicy: boolean;
  ids: IdGenerator;
  clock: Clock;
  log: Logger;
  dataDir: string;
  logFiles?: LogFiles | undefined;
}

const status = apiStatus;

const asKube = (h: SpawnerHandle): KubernetesHandle => {
  if (h.kind !== 'kubernetes' || typeof h['pod'] !== 'string' || typeof h['uid'] !== 'string') throw new Error(`not a kubernetes spawner handle: ${JSON.stringify(h)}`);
  return h as KubernetesHandle;
};

const appendLine = (file: string, line: string): void => {
  try {
    appendFileSync(file, line.endsWith('\n') ? line : `${line}\n`);
  } catch {
    // A log that cannot be written loses a line, not the runtime.
  }
};

/**
 * A pod and a PersistentVolumeClaim per runtime. Objects are found by labels (names.ts), never by name alone;
 * a pod found running is adopted (same uid), never made twice. Everything the hub learns of a pod after its
 * start comes from the shared watch: poll reads the cache, exits are reported from its changes.
 */
export class KubernetesSpawner implements Spawner, AppLauncher {
  readonly kind = 'kubernetes';
  private readonly listeners: Array<(h: SpawnerHandle) => void> = [];
  /** Handles this instance knows (started or polled), by pod uid: their ends are reported to the listeners. */
  private readonly known = new Map<string, KubernetesHandle>();
  /** Pods this instance made or adopted in a start (the others are "adopted" in poll's sense). */
  private readonly mine = new Set<string>();
  /** The last end seen of each pod, so a pod deleted since still tells its exit code (kept 10 minutes). */
  private readonly ends = new Map<string, Ended>();
  /** Log followers of pods this instance started, by uid, with the bytes of output each has written. */
  private readonly followers = new Map<string, { ac: AbortController; written: number }>();
  /** Event lines of the pods and claims being started or followed, by object uid (else name, before the uid is known). */
  private readonly eventSinks = new Map<string, (ev: CoreV1Event) => void>();
  private shared: Promise<void> | null = null;

  constructor(private readonly o: KubernetesSpawnerOptions) {
    o.pods.on((type, pod) => this.changed(type, pod));
    o.events.on((_type, ev) => {
      const sink = this.eventSinks.get(ev.involvedObject.uid ?? '') ?? this.eventSinks.get(`${ev.involvedObject.kind}/${ev.involvedObject.name}`);
      sink?.(ev);
    });
  }

  private get ns(): string {
    return this.o.settings.namespace;
  }

  private changed(type: string, pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const ended = type === 'DELETED' ? (this.ends.get(uid) ?? podEnded(pod) ?? { exitCode: null, signal: null, reason: 'the pod was deleted' }) : podEnded(pod);
    if (!ended) return;
    const first = !this.ends.has(uid);
    if (first) {
      this.ends.set(uid, ended);
      setTimeout(() => this.ends.delete(uid), 10 * 60_000).unref();
    }
    if (type === 'DELETED') {
      this.followers.get(uid)?.ac.abort();
      this.followers.delete(uid);
      this.eventSinks.delete(uid);
    }
    const handle = this.known.get(uid);
    if (!handle) return;
    if (type === 'DELETED') this.known.delete(uid);
    if (first && ended.reason) appendLine(handle.log, `[kubernetes pod] ended: ${ended.reason}`);
    for (const l of this.listeners) l(handle);
  }

  /** The ConfigMap every runtime mounts and the NetworkPolicy: once per namespace (and again after a failure). */
  private ensureShared(): Promise<void> {
    this.shared ??= (async () => {
      const cm = filesConfigMapOf(this.o.settings);
      try {
        await this.o.core.createNamespacedConfigMap({ namespace: this.ns, body: cm });
      } catch (err) {
        if (status(err) !== 409) throw err;
        // Another hub version may have written other text: ours replaces it.
        await this.o.core.replaceNamespacedConfigMap({ name: cm.metadata?.name ?? '', namespace: this.ns, body: cm });
      }
      if (this.o.networkPolicy) {
        try {
          await this.o.networking.createNamespacedNetworkPolicy({ namespace: this.ns, body: networkPolicyOf(this.o.settings) });
        } catch (err) {
          if (status(err) !== 409) throw err;
        }
      }
    })().catch((err: unknown) => {
      this.shared = null;
      throw new Error(`cannot create the runtimes' shared objects in namespace ${this.ns}: ${apiMessage(err)}`);
    });
    return this.shared;
  }

  async start(spec: RuntimeSpec, signal: AbortSignal): Promise<Launched> {
    const profile = this.o.profiles.get(spec.profile);
    if (!profile) throw new Error(`Unknown profile ${JSON.stringify(spec.profile)}`);
    if ('error' in profile) throw new Error(profile.error);
    signal.throwIfAborted();
    const started = this.o.clock.now();
    const timeoutKey = `profiles.${profile.name}.start_timeout_seconds`;
    const names = namesOf(spec.user, spec.server);
    const log = this.o.logFiles?.newStart({ user: spec.user, server: spec.server, profile: spec.profile }) ?? join(this.o.dataDir, 'kubernetes', `${names.pod}.log`);
    mkdirSync(dirname(log), { recursive: true });
    const write = (line: string) => appendLine(log, line);
    let lastEvent: string | null = null;
    let claimProblem: string | null = null;
    const wake = new Set<() => void>();
    const onEvent = (ev: CoreV1Event) => {
      const line = eventLine(ev);
      lastEvent = line;
      write(line);
      if (ev.involvedObject.kind === 'PersistentVolumeClaim') claimProblem = claimFailure(ev) ?? claimProblem;
      wake.forEach((w) => w());
    };
    const sinkKeys: string[] = [`Pod/${names.pod}`, `PersistentVolumeClaim/${names.claim}`];
    sinkKeys.forEach((k) => this.eventSinks.set(k, onEvent));
    let pod: V1Pod | undefined;
    try {
      await Promise.all([this.o.pods.synced(), this.o.events.synced(), this.ensureShared()]);
      const claim = await this.ensureClaim(profile, spec);
      if (claim.metadata?.uid) {
        this.eventSinks.set(claim.metadata.uid, onEvent);
        sinkKeys.push(claim.metadata.uid);
      }
      signal.throwIfAborted();
      let token: string;
      ({ pod, token } = await this.ensurePod(profile, spec, write, signal));
      const uid = pod.metadata?.uid ?? '';
      this.eventSinks.set(uid, onEvent);
      sinkKeys.push(uid);
      const handle: KubernetesHandle = { v: 1, kind: 'kubernetes', namespace: this.ns, pod: names.pod, uid, claim: names.claim, log };
      const deadline = started + profile.startTimeoutSeconds * 1000;
      let seen = false;
      // Until the pod has an address, a reason to give up, or the deadline; each change of the pod or an event wakes it.
      for (;;) {
        signal.throwIfAborted();
        const current = this.o.pods.get(names.pod);
        const ours = current?.metadata?.uid === uid ? current : undefined;
        seen ||= ours !== undefined;
        // Not in the watch yet (just made): waiting, not gone.
        const view = !seen ? { kind: 'waiting' as const } : startView(ours, claimProblem);
        if (view.kind === 'addressed') {
          this.mine.add(uid);
          this.known.set(uid, handle);
          this.follow(handle);
          write(`[kubernetes pod] ${names.pod} has address ${view.ip}`);
          // The pod's later events (Pulled, Started, …) go on into the start's log while it lives.
          this.eventSinks.set(uid, (ev) => write(eventLine(ev)));
          return {
            handle,
            target: `http://${view.ip}:${this.o.settings.port}`,
            token,
            readinessPath: profile.readinessPath,
            startTimeoutSeconds: Math.max(1, Math.ceil((deadline - this.o.clock.now()) / 1000)),
            startTimeoutKey: timeoutKey,
          };
        }
        if (view.kind === 'failed') throw new Error(view.reason);
        if (view.kind === 'gone') throw new Error(`the pod ${names.pod} was deleted while starting${lastEvent ? ` (last event: ${lastEvent})` : ''}`);
        if (view.kind === 'ended') throw new Error(`the pod ${names.pod} ended while starting${view.exit.reason ? `: ${view.exit.reason}` : ` (exit code ${view.exit.exitCode})`}`);
        const left = deadline - this.o.clock.now();
        if (left <= 0) throw new Error(`the pod ${names.pod} had no address after ${profile.startTimeoutSeconds} s (${timeoutKey}); last event: ${lastEvent ?? 'none'}`);
        await this.changeOf(names.pod, Math.min(left, 1000), signal, wake);
      }
    } catch (err) {
      const reason = signal.aborted ? 'the start was stopped' : err instanceof Error ? err.message : String(err);
      write(`[kubernetes] start failed: ${reason}`);
      // No handle reaches the store: a pod left here would be nobody's. The claim stays (it is the workspace).
      if (pod?.metadata?.uid) await this.deletePod(names.pod, pod.metadata.uid, 0).catch(() => undefined);
      throw signal.aborted ? new Error('the start was stopped before the pod had an address') : err;
    } finally {
      sinkKeys.forEach((k) => this.eventSinks.get(k) === onEvent && this.eventSinks.delete(k));
    }
  }

  /** Resolves at the next change of the pod or event of this start, after `ms`, or rejects when aborted. */
  private changeOf(pod: string, ms: number, signal: AbortSignal, wake: Set<() => void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        off();
        wake.delete(done);
        signal.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = () => {
        done();
        reject(new Error('aborted'));
      };
      const timer = setTimeout(done, ms);
      const off = this.o.pods.on((_t, p) => p.metadata?.name === pod && done());
      wake.add(done);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /**
   * The workspace claim, made, or the one there already. Made first and read only when it exists (409), so a new
   * runtime's start costs one request here, not a list (bench/kube-spawn: API requests per start). Its name holds
   * the hash of user and server; the claim found under it must carry this runtime's labels as well.
   */
  private async ensureClaim(profile: PodProfile, spec: RuntimeSpec) {
    const body = claimOf(profile, spec, this.o.settings);
    const name = body.metadata?.name ?? namesOf(spec.user, spec.server).claim;
    try {
      return await this.o.core.createNamespacedPersistentVolumeClaim({ namespace: this.ns, body });
    } catch (err) {
      if (!isConflict(err)) throw new Error(`cannot create the workspace claim: ${apiMessage(err)}`);
    }
    const found = await this.o.core.readNamespacedPersistentVolumeClaim({ namespace: this.ns, name });
    const want = runtimeSelector(spec.user, spec.server, COMPONENTS.workspace);
    const labels = found.metadata?.labels ?? {};
    if (Object.entries(want).some(([k, v]) => labels[k] !== v)) {
      throw new Error(`the claim ${name} exists but is not the workspace of ${spec.user}/${spec.server} (its labels differ): not taken over`);
    }
    return found;
  }

  /**
   * The runtime's pod: a live one found by labels is adopted (another replica, or a hub killed before it stored
   * the handle, made it), with the token of its secret; an ended one is deleted first; else a new one, then its
   * secret, owned by it (the kubelet waits for the secret it refers to).
   */
  private async ensurePod(profile: PodProfile, spec: RuntimeSpec, write: (l: string) => void, signal: AbortSignal): Promise<{ pod: V1Pod; token: string }> {
    const names = namesOf(spec.user, spec.server);
    const selector = runtimeSelector(spec.user, spec.server, COMPONENTS.runtime);
    for (const old of this.o.pods.list(selector)) {
      const uid = old.metadata?.uid ?? '';
      if (!podEnded(old)) {
        write(`[kubernetes pod] adopting the running pod ${names.pod} (uid ${uid})`);
        const token = await this.tokenOf(spec, uid);
        if (token) return { pod: old, token };
        return { pod: old, token: await this.createSecret(profile, spec, old) };
      }
      write(`[kubernetes pod] deleting the ended pod ${names.pod} (uid ${uid}) first`);
      await this.deletePod(old.metadata?.name ?? names.pod, uid, 0);
      await this.gone(old.metadata?.name ?? names.pod, uid, 30_000, signal);
    }
    let pod: V1Pod;
    try {
      pod = await this.o.core.createNamespacedPod({ namespace: this.ns, body: podOf(profile, spec, this.o.settings) });
    } catch (err) {
      throw new Error(`cannot create the pod: ${apiMessage(err)}`);
    }
    write(`[kubernetes pod] created ${names.pod} (uid ${pod.metadata?.uid ?? ''}) from image ${pod.spec?.containers[0]?.image ?? ''}`);
    try {
      return { pod, token: await this.createSecret(profile, spec, pod) };
    } catch (err) {
      await this.deletePod(names.pod, pod.metadata?.uid ?? '', 0).catch(() => undefined);
      throw err;
    }
  }

  private async createSecret(profile: PodProfile, spec: RuntimeSpec, pod: V1Pod): Promise<string> {
    const token = this.o.ids.random(24);
    const body = secretOf(profile, spec, this.o.settings, token, pod);
    try {
      await this.o.core.createNamespacedSecret({ namespace: this.ns, body });
    } catch (err) {
      if (status(err) !== 409) throw new Error(`cannot create the runtime's secret: ${apiMessage(err)}`);
      // A previous pod's, not collected yet: replaced, now owned by this pod.
      await this.o.core.replaceNamespacedSecret({ name: body.metadata?.name ?? '', namespace: this.ns, body });
    }
    return token;
  }

  /** The token in the secret owned by pod `uid`, found by labels; null when there is none. */
  private async tokenOf(spec: RuntimeSpec, uid: string): Promise<string | null> {
    const labelSelector = selectorString(runtimeSelector(spec.user, spec.server, COMPONENTS.token));
    const { items } = await this.o.core.listNamespacedSecret({ namespace: this.ns, labelSelector });
    const s = items.find((x) => x.metadata?.ownerReferences?.some((r) => r.uid === uid));
    const b64 = s?.data?.['token'];
    return b64 ? Buffer.from(b64, 'base64').toString('utf8') : null;
  }

  /** Follows the container's output into the start's log once it runs, if the node serves pods/log. */
  private follow(handle: KubernetesHandle): void {
    if (this.followers.has(handle.uid)) return;
    const ac = new AbortController();
    const follower = { ac, written: 0 };
    this.followers.set(handle.uid, follower);
    const begin = async () => {
      const out = new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          try {
            appendFileSync(handle.log, chunk);
            follower.written += chunk.length;
          } catch {
            // lost output
          }
          cb();
        },
      });
      const req = await new Log(this.o.kubeConfig).log(this.ns, handle.pod, CONTAINER, out, { follow: true });
      ac.signal.addEventListener('abort', () => req.abort(), { once: true });
    };
    // The log is there once the container ran; until then the API refuses it.
    const off = this.o.pods.on((_t, p) => {
      if (p.metadata?.uid !== handle.uid) return;
      const c = p.status?.containerStatuses?.[0]?.state;
      if (!c?.running && !c?.terminated) return;
      off();
      if (!ac.signal.aborted) begin().catch((err: unknown) => this.o.log.info({ err, pod: handle.pod }, 'no container log from the node: events only'));
    });
    ac.signal.addEventListener('abort', off, { once: true });
    const now = this.o.pods.get(handle.pod)?.status?.containerStatuses?.[0]?.state;
    if (now?.running || now?.terminated) {
      off();
      begin().catch((err: unknown) => this.o.log.info({ err, pod: handle.pod }, 'no container log from the node: events only'));
    }
  }

  async poll(h: SpawnerHandle): Promise<PollResult> {
    const handle = asKube(h);
    await this.o.pods.synced();
    const pod = this.o.pods.get(handle.pod);
    const live = pod?.metadata?.uid === handle.uid ? pod : undefined;
    const ended = live ? podEnded(live) : (this.ends.get(handle.uid) ?? { exitCode: null, signal: null, reason: null });
    if (!ended) {
      if (!this.known.has(handle.uid)) this.known.set(handle.uid, handle);
      return { status: 'running' };
    }
    return { status: 'exited', exitCode: ended.exitCode, signal: ended.signal, adopted: !this.mine.has(handle.uid), ...(ended.reason ? { reason: ended.reason } : {}) };
  }

  async stop(h: SpawnerHandle, { graceful }: { graceful: boolean }): Promise<void> {
    const handle = asKube(h);
    const grace = graceful ? this.o.settings.graceSeconds : 0;
    await this.catchUp(handle);
    await this.deletePod(handle.pod, handle.uid, grace);
    await this.gone(handle.pod, handle.uid, (grace + 30) * 1000);
  }

  /**
   * Before the pod (and with it its log) goes: what the follower has not written yet (it lags the node's
   * file), read once through the API; the follower's bytes are a prefix of it.
   */
  private async catchUp(handle: KubernetesHandle): Promise<void> {
    const follower = this.followers.get(handle.uid);
    if (!follower) return;
    follower.ac.abort();
    this.followers.delete(handle.uid);
    if (this.o.pods.get(handle.pod)?.metadata?.uid !== handle.uid) return;
    try {
      const text = await this.o.core.readNamespacedPodLog({ name: handle.pod, namespace: this.ns, container: CONTAINER, limitBytes: 1 << 20 });
      const rest = Buffer.from(text).subarray(follower.written);
      if (rest.length > 0) appendFileSync(handle.log, rest);
    } catch {
      // The node serves no logs: the events are there.
    }
  }

  /** Deletes pod `uid` (the precondition spares a newer pod of the same name); gone already is fine. */
  private async deletePod(name: string, uid: string, graceSeconds: number): Promise<void> {
    try {
      await this.o.core.deleteNamespacedPod({ name, namespace: this.ns, gracePeriodSeconds: graceSeconds, body: { gracePeriodSeconds: graceSeconds, preconditions: { uid } } });
    } catch (err) {
      // 404: gone; 409: the name is another pod's now (ours is gone).
      if (status(err) !== 404 && status(err) !== 409) throw new Error(`cannot delete the pod ${name}: ${apiMessage(err)}`);
    }
  }

  /** Until the cache no longer holds pod `uid` (the kubelet has stopped its containers). */
  private async gone(name: string, uid: string, ms: number, signal?: AbortSignal): Promise<void> {
    const deadline = this.o.clock.now() + ms;
    const wake = new Set<() => void>();
    while (this.o.pods.get(name)?.metadata?.uid === uid) {
      if (this.o.clock.now() > deadline) throw new Error(`the pod ${name} was still there ${Math.round(ms / 1000)} s after its deletion`);
      await this.changeOf(name, 500, signal ?? new AbortController().signal, wake);
    }
  }

  async logTail(h: SpawnerHandle, lines: number): Promise<string> {
    const handle = asKube(h);
    const pod = this.o.pods.get(handle.pod);
    const fromFile = async () => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(handle.log, 'utf8').catch(() => '');
      return text.split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
    };
    if (pod?.metadata?.uid !== handle.uid) return fromFile();
    try {
      const text = await this.o.core.readNamespacedPodLog({ name: handle.pod, namespace: this.ns, container: CONTAINER, tailLines: lines });
      if (text.trim() !== '') return text.split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
    } catch {
      // The node serves no logs: the start's log has the events.
    }
    return fromFile();
  }

  /** Deletes the runtime's workspace claim, found by labels. A user's deletion keeps it unless kubernetes.delete_claims_with_user. */
  async removeWorkspace(spec: Pick<RuntimeSpec, 'user' | 'server'>, why: 'server' | 'user' = 'server'): Promise<void> {
    if (why === 'user' && !this.o.deleteClaimsWithUser) return;
    const labelSelector = selectorString(runtimeSelector(spec.user, spec.server, COMPONENTS.workspace));
    try {
      await this.o.core.deleteCollectionNamespacedPersistentVolumeClaim({ namespace: this.ns, labelSelector });
    } catch (err) {
      if (status(err) !== 404) throw new Error(`cannot delete the workspace claim: ${apiMessage(err)}`);
    }
  }

  /** Pods run elsewhere: the embedded sampler has nothing to read; the node agents do. */
  rootPid(): number | null {
    return null;
  }

  onExit(listener: (handle: SpawnerHandle) => void): void {
    this.listeners.push(listener);
  }

  /** Named apps would be a second container or process in the pod: not made yet. */
  async startApp(): Promise<AppLaunched> {
    throw new Error('named apps are not available for runtimes on Kubernetes yet');
  }

  async findApp(): Promise<AppLaunched | null> {
    return null;
  }
}
