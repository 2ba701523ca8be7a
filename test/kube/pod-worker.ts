import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { V1Container, V1ContainerState, V1ContainerStatus, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { type Api, ApiError } from './api.js';
import { makeContainerCgroup, oomKills, podCgroup, removeCgroup, removePodCgroups } from './cgroups.js';
import { type Mount, startContainer } from './container.js';
import { commandLine, ConfigError, containerEnv, type Lookup, parseQuantity } from './env.js';
import type { Recorder } from './events.js';
import { type Image, imageDirs, pullFailure } from './images.js';
import { allocateIp, releaseIp } from './pod-ips.js';
import { runProbe } from './probes.js';
import { exitCodeOf, podPhase, qosClass, type RestartPolicy, restartBackoffMs, shouldRestart, terminatedReason } from './status.js';
import { MountError, type PodVolumes, prepareVolumes, type TokenSource } from './volumes.js';

/**
 * The stand-in runs every process as its own user (root on CI) where a kubelet would switch to the pod's
 * runAsUser: Jupyter, which refuses root, is told to allow it (a config dir searched after the pod's own).
 */
const JUPYTER_AS_ROOT = join(import.meta.dirname, 'jupyter-as-root');
const asRootForNonRoot = (pod: V1Pod): boolean =>
  process.getuid?.() === 0 &&
  [pod.spec?.securityContext, ...(pod.spec?.containers ?? []).map((c) => c.securityContext)].some((sc) => sc?.runAsNonRoot === true || (sc?.runAsUser ?? 0) > 0);

/** What every pod worker shares: the API, the node, the image stand-in. */
export type NodeContext = {
  api: Api;
  node: string;
  dir: string;
  record: Recorder;
  log(msg: string): void;
  images(name: string): Image | undefined;
  pulled: Set<string>;
  pullDelayMs: number;
  backoffBaseMs: number;
  lookup: Lookup;
  token: TokenSource;
  caCert: string;
  apiPort: string;
  cgroups: boolean;
  mountsUnusable: string | null;
  allocatable: Record<string, string>;
};

type CState = {
  spec: V1Container;
  init: boolean;
  id?: string;
  child?: ChildProcess;
  pid?: number;
  state: V1ContainerState;
  last?: V1ContainerState;
  restarts: number;
  ready: boolean;
  started: boolean;
  env?: Record<string, string>;
  exited?: Promise<void>;
  cgroup?: string;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * One pod on the process kubelet, from its binding to its end: sandbox (address, volumes), image "pulls",
 * init containers in order, then the containers with restarts and readiness probes, status through
 * pods/status, and graceful termination followed by the final delete with grace 0.
 */
export class PodWorker {
  pod: V1Pod;
  private readonly ctx: NodeContext;
  private readonly uid: string;
  private readonly dir: string;
  private ip: string | undefined;
  private readonly stop = new AbortController();
  private readonly containers: CState[];
  private initDone: boolean;
  private terminal = false;
  private readonly startTime = now();
  private readonly transitions = new Map<string, { status: string; at: string }>();
  private writing: Promise<void> | undefined;
  private dirty = false;
  private volumes: PodVolumes = {};
  private killing: Promise<void> | undefined;
  finished = false;

  constructor(pod: V1Pod, ctx: NodeContext) {
    this.pod = pod;
    this.ctx = ctx;
    this.uid = pod.metadata!.uid!;
    this.dir = join(ctx.dir, 'pods', this.uid);
    const waiting = (reason: string): V1ContainerState => ({ waiting: { reason } });
    this.containers = [
      ...(pod.spec?.initContainers ?? []).map((spec) => ({ spec, init: true, state: waiting('PodInitializing'), restarts: 0, ready: false, started: false })),
      ...(pod.spec?.containers ?? []).map((spec) => ({ spec, init: false, state: waiting('ContainerCreating'), restarts: 0, ready: false, started: false })),
    ];
    this.initDone = !(pod.spec?.initContainers?.length);
  }

  private get policy(): RestartPolicy {
    return (this.pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
  }

  private get ns() {
    return this.pod.metadata!.namespace!;
  }

  private get name() {
    return this.pod.metadata!.name!;
  }

  /** The pod as the downward API sees it: with the address this node gave it, before the status write lands. */
  private podView(): V1Pod {
    const ips = this.ip ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {};
    return { ...this.pod, status: { ...this.pod.status, ...ips, hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }] } };
  }

  update(pod: V1Pod) {
    this.pod = pod;
  }

  async run() {
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, 'pod.json'), JSON.stringify({ namespace: this.ns, name: this.name, uid: this.uid }));
      this.ip = allocateIp(`${this.ns}/${this.name}`);
      writeFileSync(join(this.dir, 'ip'), this.ip); // released by a restarted kubelet if this one dies
      this.write();
      if (!(await this.mountVolumes())) return;
      const inits = this.containers.filter((c) => c.init);
      for (const c of inits) {
        if (!(await this.runInit(c))) return;
      }
      if (inits.length) {
        this.initDone = true;
        for (const c of this.containers) if (!c.init) c.state = { waiting: { reason: 'ContainerCreating' } };
        this.write();
      }
      await Promise.all(this.containers.filter((c) => !c.init).map((c) => this.runLoop(c)));
      if (!this.stop.signal.aborted) await this.finish();
    } catch (err) {
      this.ctx.log(`pod ${this.ns}/${this.name}: ${(err as Error).stack ?? String(err)}`);
    }
  }

  /** Volumes, retried while a claim is not bound or a secret not there yet (FailedMount), as a kubelet does. */
  private async mountVolumes(): Promise<boolean> {
    const needsMounts = this.containers.some((c) => c.spec.volumeMounts?.length);
    if (needsMounts && this.ctx.mountsUnusable) {
      this.ctx.record(this.pod, 'Warning', 'FailedMount', `process kubelet: cannot mount volumes on this machine: ${this.ctx.mountsUnusable}`);
      this.terminal = true;
      for (const c of this.containers) c.state = { waiting: { reason: 'CreateContainerError', message: this.ctx.mountsUnusable } };
      this.write();
      await this.finish();
      return false;
    }
    for (let attempt = 0; !this.stop.signal.aborted; attempt++) {
      try {
        this.volumes = await prepareVolumes(this.ctx.api, this.podView(), this.dir, { caCert: this.ctx.caCert, token: this.ctx.token });
        return true;
      } catch (err) {
        if (!(err instanceof MountError) && !(err instanceof ApiError)) throw err;
        this.ctx.record(this.pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
        await sleep(Math.min(500 * 2 ** attempt, 8000), this.stop.signal);
      }
    }
    return false;
  }

  private async runInit(c: CState): Promise<boolean> {
    for (;;) {
      const exit = await this.startOnce(c);
      if (exit === undefined) return false; // stopped
      if (exit === 0) return true;
      if (this.policy === 'Never') {
        this.terminal = true;
        this.write();
        await this.finish();
        return false;
      }
      if (!(await this.backoff(c))) return false;
    }
  }

  private async runLoop(c: CState) {
    for (;;) {
      const exit = await this.startOnce(c);
      if (exit === undefined) return;
      if (!shouldRestart(this.policy, exit)) return;
      if (!(await this.backoff(c))) return;
    }
  }

  /** CrashLoopBackOff before the next start; false when the pod is stopping meanwhile. */
  private async backoff(c: CState) {
    const ms = restartBackoffMs(c.restarts + 1, this.ctx.backoffBaseMs);
    const s = `${Math.round(ms / 1000)}s`;
    c.last = c.state;
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${s} restarting failed container=${c.spec.name} pod=${this.name}_${this.ns}(${this.uid})` } };
    this.ctx.record(this.pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.spec.name} in pod ${this.name}_${this.ns}(${this.uid})`, this.fieldPath(c));
    this.write();
    await sleep(ms, this.stop.signal);
    if (this.stop.signal.aborted) return false;
    c.restarts++;
    return true;
  }

  private fieldPath(c: CState) {
    return `spec.${c.init ? 'initContainers' : 'containers'}{${c.spec.name}}`;
  }

  /** Pull, configure and run the container once; resolves with its exit code, or undefined when the pod stops first. */
  private async startOnce(c: CState): Promise<number | undefined> {
    const image = await this.pull(c);
    if (!image) return undefined;
    let env: Record<string, string> | undefined;
    for (let attempt = 0; !env; attempt++) {
      if (this.stop.signal.aborted) return undefined;
      try {
        env = await containerEnv(this.podView(), c.spec, this.ctx.lookup, this.baseEnv(image), this.ctx.allocatable);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        c.state = { waiting: { reason: 'CreateContainerConfigError', message: err.message } };
        this.ctx.record(this.pod, 'Warning', 'Failed', `Error: ${err.message}`, this.fieldPath(c));
        this.write();
        await sleep(Math.min(1000 * 2 ** attempt, 10_000), this.stop.signal);
      }
    }
    if (this.stop.signal.aborted) return undefined;
    c.env = env;
    const argv = commandLine(c.spec, image, env);
    if (argv.length === 0) {
      c.state = { waiting: { reason: 'CreateContainerError', message: 'failed to generate container spec: no command specified' } };
      this.ctx.record(this.pod, 'Warning', 'Failed', 'Error: failed to generate container spec: no command specified', this.fieldPath(c));
      this.write();
      await sleep(restartBackoffMs(c.restarts + 1, this.ctx.backoffBaseMs), this.stop.signal);
      return this.stop.signal.aborted ? undefined : this.startOnce(c);
    }
    c.id = randomBytes(32).toString('hex');
    const cgroupPath = this.ctx.cgroups ? `${podCgroup(qosClass(this.pod), this.uid)}/${c.id}` : undefined;
    const limit = c.spec.resources?.limits?.['memory'];
    const procs = cgroupPath ? makeContainerCgroup(cgroupPath, limit === undefined ? undefined : parseQuantity(String(limit))) : [];
    if (c.cgroup) removeCgroup(c.cgroup);
    c.cgroup = cgroupPath;
    const mounts: Mount[] = (c.spec.volumeMounts ?? []).map((m) => {
      const base = this.volumes[m.name];
      if (base === undefined) throw new MountError(`volumeMount ${m.name}: no such volume`);
      return { source: m.subPath ? join(base, m.subPath) : base, target: m.mountPath, readOnly: !!m.readOnly };
    });
    for (const m of mounts) if (c.spec.volumeMounts?.find((v) => v.mountPath === m.target)?.subPath) mkdirSync(m.source, { recursive: true });
    this.ctx.record(this.pod, 'Normal', 'Created', `Created container: ${c.spec.name}`, this.fieldPath(c));
    const child = startContainer({ podDir: this.dir, name: c.spec.name, argv, env, workingDir: c.spec.workingDir, mounts, cgroupProcs: procs, imageDirs: imageDirs() });
    c.child = child;
    c.pid = child.pid;
    const startedAt = now();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.on('error', (error) => resolve({ code: 128, signal: null, error }));
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    c.exited = exited.then(() => undefined);
    c.state = { running: { startedAt } } as unknown as V1ContainerState;
    c.started = !c.spec.startupProbe || c.init;
    c.ready = !c.spec.readinessProbe && !c.spec.startupProbe && !c.init;
    this.ctx.record(this.pod, 'Normal', 'Started', `Started container ${c.spec.name}`, this.fieldPath(c));
    this.write();
    if (!c.init) void this.probes(c, exited);
    const { code, signal, error } = await exited;
    c.child = undefined;
    c.ready = false;
    rmSync(join(this.dir, `${c.spec.name}.pid`), { force: true });
    const { exitCode, signal: sig } = exitCodeOf(code, signal);
    const oom = !!cgroupPath && oomKills(cgroupPath) > 0;
    c.state = {
      terminated: {
        exitCode, ...(sig ? { signal: sig } : {}), reason: error ? 'StartError' : terminatedReason(exitCode, oom),
        ...(error ? { message: error.message } : {}), startedAt, finishedAt: now(), containerID: `containerd://${c.id}`,
      },
    } as unknown as V1ContainerState;
    this.write();
    if (this.stop.signal.aborted) return undefined;
    return exitCode;
  }

  private baseEnv(image: Image): Record<string, string> {
    const path = [...image.path, process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
    return {
      PATH: path,
      HOME: process.env['HOME'] ?? '/root',
      HOSTNAME: this.pod.spec?.hostname ?? this.name,
      ...(asRootForNonRoot(this.pod) ? { JUPYTER_CONFIG_PATH: JUPYTER_AS_ROOT } : {}),
      // The kubernetes Service has no endpoints on this control plane (endpoint reconciler none): point at the API directly.
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: this.ctx.apiPort,
      KUBERNETES_SERVICE_PORT_HTTPS: this.ctx.apiPort,
      KUBERNETES_PORT: `tcp://127.0.0.1:${this.ctx.apiPort}`,
      KUBERNETES_PORT_443_TCP: `tcp://127.0.0.1:${this.ctx.apiPort}`,
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: this.ctx.apiPort,
      KUBERNETES_PORT_443_TCP_ADDR: '127.0.0.1',
    };
  }

  /** The image stand-in: Pulling/Pulled with the size, or ErrImagePull then ImagePullBackOff, retried with back-off. */
  private async pull(c: CState): Promise<Image | undefined> {
    const name = c.spec.image ?? '';
    const policy = c.spec.imagePullPolicy ?? (/:latest$|^[^:]*$/.test(name.slice(name.lastIndexOf('/') + 1)) ? 'Always' : 'IfNotPresent');
    const fp = this.fieldPath(c);
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      const image = this.ctx.images(name);
      if (policy !== 'Always' && this.ctx.pulled.has(name) && image) {
        this.ctx.record(this.pod, 'Normal', 'Pulled', `Container image "${name}" already present on machine`, fp);
        return image;
      }
      if (policy === 'Never') {
        c.state = { waiting: { reason: 'ErrImageNeverPull', message: `Container image "${name}" is not present with pull policy of Never` } };
        this.ctx.record(this.pod, 'Warning', 'ErrImageNeverPull', `Container image "${name}" is not present with pull policy of Never`, fp);
        this.write();
        await sleep(restartBackoffMs(attempt, this.ctx.backoffBaseMs), this.stop.signal);
        continue;
      }
      this.ctx.record(this.pod, 'Normal', 'Pulling', `Pulling image "${name}"`, fp);
      const t0 = Date.now();
      if (this.ctx.pullDelayMs) await sleep(this.ctx.pullDelayMs, this.stop.signal);
      if (image) {
        this.ctx.pulled.add(name);
        const secs = ((Date.now() - t0) / 1000).toFixed(3);
        this.ctx.record(this.pod, 'Normal', 'Pulled', `Successfully pulled image "${name}" in ${secs}s (${secs}s including waiting). Image size: ${image.size} bytes.`, fp);
        return image;
      }
      const why = `rpc error: code = NotFound desc = ${pullFailure(name)}`;
      c.state = { waiting: { reason: 'ErrImagePull', message: why } };
      this.ctx.record(this.pod, 'Warning', 'Failed', `Failed to pull image "${name}": ${why}`, fp);
      this.ctx.record(this.pod, 'Warning', 'Failed', 'Error: ErrImagePull', fp);
      this.write();
      const ms = restartBackoffMs(attempt, this.ctx.backoffBaseMs);
      await sleep(Math.min(ms, 1000), this.stop.signal);
      if (this.stop.signal.aborted) break;
      c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${name}": ErrImagePull: ${why}` } };
      this.ctx.record(this.pod, 'Normal', 'BackOff', `Back-off pulling image "${name}"`, fp);
      this.ctx.record(this.pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', fp);
      this.write();
      await sleep(ms, this.stop.signal);
    }
    return undefined;
  }

  /** Startup probe first (gating the others), then readiness and liveness, at their periods, as a kubelet runs them. */
  private async probes(c: CState, exited: Promise<unknown>) {
    const run = { gone: false };
    void exited.then(() => { run.gone = true; });
    if (c.spec.startupProbe) {
      if (!(await this.probeLoop(c, run, 'Startup'))) return;
      c.started = true;
      if (!c.spec.readinessProbe) c.ready = true;
      this.write();
    }
    await Promise.all([
      c.spec.readinessProbe ? this.probeLoop(c, run, 'Readiness') : undefined,
      c.spec.livenessProbe ? this.probeLoop(c, run, 'Liveness') : undefined,
    ]);
  }

  /**
   * One probe's loop. Readiness flips `ready`; liveness, and a startup probe that never succeeds, kill the
   * container after failureThreshold failures (it restarts per restartPolicy). Startup resolves true on success.
   */
  private async probeLoop(c: CState, run: { gone: boolean }, kind: 'Startup' | 'Readiness' | 'Liveness'): Promise<boolean> {
    const probe = (kind === 'Startup' ? c.spec.startupProbe : kind === 'Readiness' ? c.spec.readinessProbe : c.spec.livenessProbe)!;
    const ports = Object.fromEntries((c.spec.ports ?? []).filter((p) => p.name).map((p) => [p.name!, p.containerPort]));
    const over = () => run.gone || this.stop.signal.aborted;
    let ok = 0, bad = 0;
    if (kind !== 'Startup' || probe.initialDelaySeconds) await sleep((probe.initialDelaySeconds ?? 0) * 1000, this.stop.signal);
    while (!over()) {
      const r = await runProbe(probe, this.ip!, c.pid, c.env ?? {}, ports);
      if (over()) return false;
      if (r.ok) {
        bad = 0;
        if (++ok >= (probe.successThreshold ?? 1)) {
          if (kind === 'Startup') return true;
          if (kind === 'Readiness' && !c.ready) {
            c.ready = true;
            this.write();
          }
        }
      } else {
        ok = 0;
        this.ctx.record(this.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${r.message}`, this.fieldPath(c));
        if (++bad >= (probe.failureThreshold ?? 3)) {
          if (kind === 'Readiness') {
            if (c.ready) {
              c.ready = false;
              this.write();
            }
          } else {
            this.ctx.record(this.pod, 'Normal', 'Killing', `Container ${c.spec.name} failed ${kind.toLowerCase()} probe, will be restarted`, this.fieldPath(c));
            const grace = probe.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30;
            this.signal(c, 'SIGTERM');
            const pid = c.pid;
            setTimeout(() => { if (c.child && c.pid === pid) this.signal(c, 'SIGKILL'); }, grace * 1000).unref();
            return false;
          }
        }
      }
      await sleep((probe.periodSeconds ?? 10) * 1000, this.stop.signal);
    }
    return false;
  }

  /**
   * Graceful deletion: SIGTERM to each running container's process group, SIGKILL after the grace period,
   * then the final status and the delete with grace 0. graceSeconds 0 (a forced delete) kills at once.
   */
  terminate(graceSeconds: number, deleteObject: boolean): Promise<void> {
    const deadline = Date.now() + graceSeconds * 1000;
    if (this.killing) {
      // A second delete with a shorter grace period (or a forced one) brings the SIGKILL forward.
      if (deadline < this.killDeadline) this.scheduleKill(deadline);
      return this.killing;
    }
    this.killing = (async () => {
      this.stop.abort();
      this.terminal = true;
      const running = this.containers.filter((c) => c.child);
      for (const c of running) {
        this.ctx.record(this.pod, 'Normal', 'Killing', `Stopping container ${c.spec.name}`, this.fieldPath(c));
        this.signal(c, graceSeconds > 0 ? 'SIGTERM' : 'SIGKILL');
      }
      this.scheduleKill(deadline);
      await Promise.all(running.map((c) => c.exited ?? Promise.resolve()));
      clearTimeout(this.killTimer);
      await this.finish(deleteObject);
    })();
    return this.killing;
  }

  private killDeadline = Infinity;
  private killTimer: NodeJS.Timeout | undefined;

  private scheduleKill(deadline: number) {
    this.killDeadline = deadline;
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => {
      for (const c of this.containers) if (c.child) this.signal(c, 'SIGKILL');
    }, Math.max(0, deadline - Date.now()));
  }

  private signal(c: CState, sig: NodeJS.Signals) {
    try {
      process.kill(-c.pid!, sig);
    } catch { /* already gone */ }
  }

  /** Final status, cleanup (cgroups, address) once, and when deleting the delete with grace 0. */
  private async finish(deleteObject = false) {
    if (!this.finished) {
      this.finished = true;
      this.terminal = true;
      for (const c of this.containers) {
        if (c.state.waiting) c.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated' } };
      }
      this.write();
      await this.flush();
      if (this.ctx.cgroups) await removePodCgroups(this.uid);
      if (this.ip) releaseIp(this.ip);
    }
    if (deleteObject) {
      await this.ctx.api.delete(`/api/v1/namespaces/${this.ns}/pods/${this.name}`, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } })
        .catch((err: unknown) => this.ctx.log(`final delete of ${this.ns}/${this.name}: ${(err as Error).message}`));
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Kills everything now (the kubelet itself is stopping, or the pod object is gone). */
  killNow() {
    this.stop.abort();
    for (const c of this.containers) if (c.child) this.signal(c, 'SIGKILL');
    if (this.ip) releaseIp(this.ip);
  }

  // ---- status ----------------------------------------------------------------------------------------

  private write() {
    this.dirty = true;
    this.writing ??= (async () => {
      while (this.dirty) {
        this.dirty = false;
        try {
          await this.ctx.api.patch(`/api/v1/namespaces/${this.ns}/pods/${this.name}/status`, { metadata: { uid: this.uid }, status: this.status() }, 'strategic');
        } catch (err) {
          if (err instanceof ApiError && (err.status === 404 || err.status === 409)) break; // gone, or another pod by that name
          this.ctx.log(`status of ${this.ns}/${this.name}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 500));
          this.dirty = true;
        }
      }
      this.writing = undefined;
    })();
  }

  private async flush() {
    while (this.writing) await this.writing;
  }

  private condition(type: string, ok: boolean, reason?: string, message?: string): V1PodCondition {
    const status = ok ? 'True' : 'False';
    const prior = this.transitions.get(type);
    const at = prior && prior.status === status ? prior.at : now();
    this.transitions.set(type, { status, at });
    // null clears what an earlier status said: the status is written as a strategic merge patch.
    return { type, status, lastTransitionTime: at as unknown as Date, lastProbeTime: null as unknown as Date, reason: (reason ?? null) as string, message: (message ?? null) as string };
  }

  private status() {
    const regular = this.containers.filter((c) => !c.init);
    const inits = this.containers.filter((c) => c.init);
    const phase = podPhase(this.policy, this.initDone, regular.map((c) => ({ state: c.state, restarted: c.restarts > 0 || !!c.last })), this.terminal);
    const unready = regular.filter((c) => !c.ready).map((c) => c.spec.name);
    const incomplete = inits.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.spec.name);
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const notReady = terminal ? 'PodCompleted' : 'ContainersNotReady';
    const scheduled = this.pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const conditions = [
      this.condition('PodReadyToStartContainers', !!this.ip && !terminal),
      this.condition('Initialized', this.initDone, this.initDone ? undefined : 'ContainersNotInitialized', this.initDone ? undefined : `containers with incomplete status: [${incomplete.join(' ')}]`),
      this.condition('Ready', unready.length === 0 && !terminal, unready.length || terminal ? notReady : undefined, unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined),
      this.condition('ContainersReady', unready.length === 0 && !terminal, unready.length || terminal ? notReady : undefined, unready.length ? `containers with unready status: [${unready.join(' ')}]` : undefined),
      ...(scheduled ? [scheduled] : []),
    ];
    const view = (c: CState): V1ContainerStatus => ({
      name: c.spec.name,
      image: c.spec.image ?? '',
      imageID: this.ctx.pulled.has(c.spec.image ?? '') ? `${c.spec.image}@sha256:${'0'.repeat(64)}` : '',
      ...(c.id ? { containerID: `containerd://${c.id}` } : {}),
      state: c.state,
      lastState: c.last ?? {},
      ready: c.ready,
      restartCount: c.restarts,
      started: !!c.state.running && c.started,
    });
    return {
      phase,
      conditions,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      ...(this.ip ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {}),
      startTime: this.startTime,
      qosClass: qosClass(this.pod),
      ...(inits.length ? { initContainerStatuses: inits.map(view) } : {}),
      containerStatuses: regular.map(view),
    };
  }
}
