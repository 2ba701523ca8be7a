import { audit, type AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import {
  mayUseCluster,
  type ClusterControl,
  type ClusterInput,
  type ClusterRecord,
  type ClusterRepo,
  type ClusterSpawner,
  type ClusterSpec,
} from '../core/clusters.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/readiness.js';
import { KeyedSerial } from '../lifecycle/serial.js';
import { readMaster, type MasterView } from './ready.js';

export interface ClusterManagerOptions {
  repo: ClusterRepo;
  spawner: ClusterSpawner;
  userExists: (name: string) => Promise<boolean>;
  clock: Clock;
  log: Logger;
  /** Where audit events are stored (issue 16). */
  auditTrail?: AuditTrail | undefined;
  /** spark.start_timeout_seconds, in ms. */
  startTimeoutMs: number;
  /** How often running clusters are checked (lifecycle.poll_seconds). */
  pollMs: number;
  /** This machine: a cluster's processes are local, so only a hub on the machine that started them acts on them. */
  host: string;
  /** Injectable for tests. */
  readMaster?: (uiUrl: string) => Promise<MasterView | null>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The clusters (issue 19): what admins asked (`desired`) and what runs (`state`), kept together in the store.
 * Starting launches the processes and waits until the master answers and every worker has registered; a
 * process that dies makes the cluster `failed` with the reason and its last lines, and the rest is stopped.
 * Clusters outlive the hub: a restarted hub on the same machine adopts them from their handles (same
 * processes, nothing started twice). Operations on one cluster run one at a time.
 */
export class ClusterManager implements ClusterControl {
  private readonly records = new Map<string, ClusterRecord>();
  private readonly serial = new KeyedSerial();
  private readonly starting = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly o: ClusterManagerOptions) {}

  get(name: string): ClusterRecord | undefined {
    return this.records.get(name);
  }

  list(): ClusterRecord[] {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  mayUse(who: Identity, c: ClusterRecord): boolean {
    return mayUseCluster(who, c);
  }

  async open(): Promise<void> {
    for (const c of await this.o.repo.list()) this.records.set(c.name, c);
    // Ours: started on this machine, or a start the previous hub had not launched yet.
    const orphanStart = (c: ClusterRecord) => c.handle === null && c.state !== 'stopped' && c.state !== 'failed';
    for (const c of this.list()) if (this.isOurs(c) || orphanStart(c)) void this.serial.run(c.name, () => this.adopt(c.name));
    this.schedule();
  }

  /** Clusters keep running when the hub stops (as runtimes do); starts in progress are abandoned to the next hub. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const ac of this.starting.values()) ac.abort();
  }

  async create(input: ClusterInput, by: Identity): Promise<ClusterRecord> {
    const owner = input.owner ?? by.user;
    for (const u of [owner, ...input.users]) {
      if (!(await this.o.userExists(u))) throw badRequest(`No such user: ${u}`);
    }
    const record: ClusterRecord = {
      name: input.name,
      kind: input.kind,
      owner,
      users: input.users.filter((u) => u !== owner),
      workers: input.workers,
      workerCores: input.workerCores,
      workerMemoryMb: input.workerMemoryMb,
      desired: 'stopped',
      state: 'stopped',
      handle: null,
      endpoints: null,
      failure: null,
      created: this.o.clock.now(),
      started: null,
      stopped: null,
    };
    if (!(await this.o.repo.create(record))) throw conflict(`A cluster named ${input.name} exists already`);
    this.records.set(record.name, record);
    audit(this.o, { event: 'cluster_create', user: owner, cluster: record.name, by: by.user });
    return record;
  }

  /** Asks for the cluster to run; the launch goes on in the background (`state` says how far it is). */
  async start(name: string, by: Identity): Promise<ClusterRecord> {
    const c = this.require(name);
    if (c.state === 'stopping') throw conflict(`Cluster ${name} is stopping; start it again once it has stopped`);
    if (c.desired === 'running' && (c.state === 'starting' || c.state === 'running')) return c;
    const next = await this.write({ ...c, desired: 'running', state: 'starting', failure: null, started: null });
    audit(this.o, { event: 'cluster_start', user: c.owner, cluster: name, by: by.user });
    void this.serial.run(name, () => this.launchSafely(name));
    return next;
  }

  /** Stops every process of the cluster; resolves once they are gone. */
  async stop(name: string, by: Identity): Promise<ClusterRecord> {
    const c = this.require(name);
    if (c.desired === 'stopped' && (c.state === 'stopped' || c.state === 'failed')) return c;
    await this.write({ ...c, desired: 'stopped' });
    this.starting.get(name)?.abort();
    audit(this.o, { event: 'cluster_stop', user: c.owner, cluster: name, by: by.user });
    return this.serial.run(name, () => this.halt(name, 'stopped', null));
  }

  async remove(name: string, by: Identity): Promise<void> {
    const owner = this.require(name).owner;
    await this.stop(name, by);
    await this.serial.run(name, async () => {
      await this.o.spawner.removeFiles(name);
      await this.o.repo.delete(name);
      this.records.delete(name);
    });
    audit(this.o, { event: 'cluster_delete', user: owner, cluster: name, by: by.user });
  }

  /** Runs once per poll interval: a cluster whose process died is failed, with the reason. */
  async check(): Promise<void> {
    // Other hubs sharing the store (PostgreSQL) create and change clusters too.
    const fresh = await this.o.repo.list();
    const names = new Set(fresh.map((c) => c.name));
    for (const c of fresh) if (!this.isOurs(c) || !this.records.has(c.name)) this.records.set(c.name, c);
    for (const name of this.records.keys()) if (!names.has(name)) this.records.delete(name);
    await Promise.all(
      this.list()
        .filter((c) => (c.state === 'running' || c.state === 'starting' || c.state === 'stopping') && this.isOurs(c))
        .map((c) => this.serial.run(c.name, () => this.watch(c.name))),
    );
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.check()
        .catch((err: unknown) => this.o.log.error({ err }, 'clusters: check failed'))
        .finally(() => this.schedule());
    }, this.o.pollMs);
    this.timer.unref();
  }

  private isOurs(c: ClusterRecord): boolean {
    return c.handle !== null && c.handle['host'] === this.o.host;
  }

  private require(name: string): ClusterRecord {
    const c = this.records.get(name);
    if (!c) throw notFound(`No such cluster: ${name}`);
    return c;
  }

  private async write(c: ClusterRecord): Promise<ClusterRecord> {
    if (!(await this.o.repo.put(c))) throw notFound(`No such cluster: ${c.name}`);
    this.records.set(c.name, c);
    return c;
  }

  private spec(c: ClusterRecord): ClusterSpec {
    return { name: c.name, kind: c.kind, owner: c.owner, workers: c.workers, workerCores: c.workerCores, workerMemoryMb: c.workerMemoryMb, uiPrefix: `/clusters/${c.name}` };
  }

  /** A start that threw (the store, the file system) fails the cluster with why, never leaves it `starting`. */
  private async launchSafely(name: string): Promise<void> {
    try {
      await this.launch(name);
    } catch (err) {
      this.o.log.error({ err, cluster: name }, `cluster ${name}: start failed`);
      await this.halt(name, 'failed', `Could not start: ${message(err)}`).catch((e: unknown) => this.o.log.error({ err: e, cluster: name }, `cluster ${name}: cannot record the failure`));
    }
  }

  private async launch(name: string): Promise<void> {
    let c = this.records.get(name);
    if (!c || c.desired !== 'running' || c.state !== 'starting') return;
    const ac = new AbortController();
    this.starting.set(name, ac);
    try {
      let launched;
      try {
        launched = await this.o.spawner.start(this.spec(c), ac.signal);
      } catch (err) {
        await this.write({ ...c, desired: 'stopped', state: 'failed', failure: `Could not start: ${message(err)}`, stopped: this.o.clock.now() });
        return;
      }
      c = await this.write({ ...c, handle: { ...launched.handle, host: this.o.host }, endpoints: launched.endpoints });
      const read = this.o.readMaster ?? readMaster;
      const deadline = this.o.clock.now() + this.o.startTimeoutMs;
      for (;;) {
        if (ac.signal.aborted) return; // stop() takes over, next in line
        const p = await this.o.spawner.poll(c.handle!);
        if (p.status === 'exited') return void (await this.halt(name, 'failed', `The cluster failed while starting: ${p.reason}`));
        const m = await read(launched.endpoints.ui);
        if (m && m.alive >= c.workers) {
          await this.write({ ...c, state: 'running', started: this.o.clock.now() });
          this.o.log.info({ cluster: name }, `cluster ${name} is running (${c.workers} workers)`);
          return;
        }
        if (this.o.clock.now() > deadline) {
          const s = Math.round(this.o.startTimeoutMs / 1000);
          const why = m
            ? `only ${m.alive} of ${c.workers} workers registered with the master within ${s} s (spark.start_timeout_seconds)`
            : `the master did not answer within ${s} s (spark.start_timeout_seconds)`;
          const tail = await this.o.spawner.logTail(c.handle!, 5).catch(() => '');
          return void (await this.halt(name, 'failed', `The cluster did not start: ${why}${tail ? `. Last lines:\n${tail}` : ''}`));
        }
        await sleep(500, ac.signal);
      }
    } finally {
      this.starting.delete(name);
    }
  }

  /** Stops whatever runs of the cluster and records how it ended. */
  private async halt(name: string, state: 'stopped' | 'failed', failure: string | null): Promise<ClusterRecord> {
    let c = this.require(name);
    const handle = c.handle;
    if (handle) {
      if (c.state !== 'stopping') c = await this.write({ ...c, state: 'stopping' });
      try {
        await this.o.spawner.stop(handle, { graceful: state === 'stopped' });
      } catch (err) {
        this.o.log.error({ err, cluster: name }, `cluster ${name}: could not stop every process`);
      }
    }
    if (failure) this.o.log.warn({ cluster: name }, `cluster ${name} failed: ${failure}`);
    return this.write({ ...c, desired: 'stopped', state, failure, handle: null, endpoints: null, stopped: this.o.clock.now() });
  }

  private async watch(name: string): Promise<void> {
    const c = this.records.get(name);
    if (!c?.handle) return;
    // Operations on a cluster run one at a time, so a start or stop still marked here has nobody carrying it on.
    if (c.state === 'starting' || c.state === 'stopping') {
      if (this.starting.has(name)) return;
      return void (await this.halt(name, 'failed', `The cluster's ${c.state === 'starting' ? 'start' : 'stop'} was interrupted; start it again`));
    }
    if (c.state !== 'running') return;
    const p = await this.o.spawner.poll(c.handle);
    if (p.status === 'exited') await this.halt(name, 'failed', `The cluster stopped by itself: ${p.reason}`);
  }

  /** A hub (re)started: what its predecessor on this machine left is taken over, not started twice. */
  private async adopt(name: string): Promise<void> {
    const c = this.records.get(name);
    if (!c) return;
    if (!c.handle) {
      if (c.desired === 'running' && c.state === 'starting') return this.launchSafely(name);
      return void (await this.write({ ...c, desired: 'stopped', state: 'stopped', stopped: this.o.clock.now() }));
    }
    if (c.state === 'running') {
      const p = await this.o.spawner.poll(c.handle);
      if (p.status === 'running') return void this.o.log.info({ cluster: name }, `cluster ${name}: adopted its running processes`);
      await this.halt(name, 'failed', `The cluster stopped while the hub was down: ${p.reason}`);
    } else if (c.state === 'starting' && c.desired === 'running') {
      // The start was cut short with the hub: begin it again from nothing.
      await this.o.spawner.stop(c.handle, { graceful: false });
      await this.write({ ...c, handle: null, endpoints: null });
      await this.launchSafely(name);
    } else {
      await this.halt(name, c.state === 'failed' ? 'failed' : 'stopped', c.failure);
    }
  }
}
