import type { Clock } from '../core/clock.js';
import { badRequest, conflict, HubError, notFound } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { newServerRecord, type ServerRecord, type StopReason } from '../core/models.js';
import type { CullTarget } from '../core/culling.js';
import type { ActivitySink, RouteEntry, RouteTable } from '../core/routes.js';
import type { Spawner } from '../core/spawner.js';
import type { Store } from '../core/store.js';
import type { RunningRuntime, RuntimeDirectory } from '../core/usage.js';
import { serverPath } from '../core/urls.js';
import { ActivityBook, later } from './activity.js';
import { decide, type Action, type Observed } from './decide.js';
import { historyEvent } from './history.js';
import { parseLaunchRecord, toLaunchRecord, type LaunchRecord } from './launch-record.js';
import { waitReady } from './readiness.js';
import { keyOf, RecordIndex } from './record-index.js';
import { afterEarlyExit, START_ATTEMPTS } from './retry.js';
import { KeyedSerial } from './serial.js';
import { Sharing } from './sharing.js';

export interface LifecycleOptions {
  store: Store;
  spawner: Spawner;
  clock: Clock;
  log: Logger;
  profiles: ReadonlySet<string>;
  defaultProfile: string;
  pollSeconds: number;
  /** Lines of output kept with a failed runtime. */
  logTailLines?: number;
  /** How often touched activity is written to the store (it is served from memory at once). */
  activityFlushMs?: number;
  /** This hub instance (instance-id.ts): the owner it writes on the servers it acts on. */
  instance?: string;
  /**
   * Other instances may share the store (PostgreSQL): heartbeat every lease/4, reload the records each
   * poll, and claim those of an instance whose heartbeat is older than the lease (monitoring.lease_seconds).
   * Absent: this instance is alone on the store and owns every record.
   */
  shared?: { leaseMs: number } | undefined;
}

const ACTIVITY_FLUSH_MS = 10_000;

/** What the culler may judge and stop: this instance's own servers only (the owner culls). */
export type OwnCullView = CullTarget & RuntimeDirectory & ActivitySink & { get(user: string, name: string): ServerRecord | undefined };

/**
 * The one reconciler (DESIGN.md idea 1). Requests only write the desired state; passes compare it with
 * what the spawner observes and act, one pass at a time per server. The same pass runs at start-up, so a
 * restarted hub adopts live runtimes instead of spawning them twice. It also serves the proxy's route
 * table and collects activity, from the records it keeps in memory (record-index.ts, activity.ts).
 *
 * Several instances on one store (issue 6): each record has one owner, the only instance that reconciles
 * and culls it (ownership.ts decides who). The others reload the records every poll, so their API and proxy
 * see what the owner does; a request they get for another live instance's record only writes the desired
 * state (compare and set on the record's version), which the owner picks up at its next poll. The records
 * of an instance gone for a lease are claimed by a survivor and adopted like after a restart. Reload,
 * change notices, heartbeats and claims are in sharing.ts.
 */
export class Lifecycle implements RouteTable, ActivitySink, RuntimeDirectory {
  private readonly index: RecordIndex;
  private readonly activity: ActivityBook;
  private readonly sharing: Sharing;
  private readonly readying = new Map<string, AbortController>();
  private readonly removeAfterStop = new Set<string>();
  private readonly serial = new KeyedSerial();
  private timers: NodeJS.Timeout[] = [];
  private readonly me: string;

  constructor(private readonly o: LifecycleOptions) {
    this.me = o.instance ?? 'local';
    this.index = new RecordIndex(o.spawner);
    this.activity = new ActivityBook({ index: this.index, store: o.store, log: o.log });
    this.sharing = new Sharing({
      store: o.store,
      clock: o.clock,
      log: o.log,
      me: this.me,
      shared: o.shared,
      index: this.index,
      activity: this.activity,
      serial: this.serial,
      host: {
        kick: (key) => void this.kick(key),
        deleted: (key) => this.removeAfterStop.delete(key),
        lost: (key) => this.readying.get(key)?.abort(),
      },
    });
    o.spawner.onExit(() => this.kickAll());
  }

  /** This instance's id, as records name their owner. */
  get instance(): string {
    return this.me;
  }

  /**
   * Loads every record and reconciles it once (adoption), then keeps polling. The hub saw nothing while it
   * was down, so that time is not idleness: a running runtime's last activity is at least the hub's start,
   * which grants it one whole idle timeout from the restart.
   */
  async init(): Promise<void> {
    const startedAt = this.o.clock.now();
    await this.sharing.load(startedAt);
    await Promise.all(this.index.keys().map((k) => this.kick(k)));
    this.timers.push(setInterval(() => this.tick(), this.o.pollSeconds * 1000).unref());
    this.timers.push(setInterval(() => void this.activity.flush(), this.o.activityFlushMs ?? ACTIVITY_FLUSH_MS).unref());
    await this.sharing.follow();
  }

  async shutdown(options: { stopRuntimes: boolean }): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sharing.stop();
    // Waiters that see their runtime's state changed, or the hub stopping, end without acting.
    for (const ac of this.readying.values()) ac.abort();
    if (options.stopRuntimes) {
      // Straight to the desired state (a request would refuse a server still starting), then one pass each.
      await Promise.all(
        this.index
          .all()
          .filter((r) => r.owner === this.me && (r.state === 'running' || r.state === 'pending'))
          .map((r) =>
            this.serial.run(keyOf(r.user, r.name), async () => {
              const cur = this.index.get(r.user, r.name);
              if (cur) await this.save({ ...cur, desired: 'stopped', state: 'stopping', stopReason: 'shutdown', requestedBy: 'hub', stopRequestedAt: this.o.clock.now() });
            }),
          ),
      );
      await Promise.all(this.index.keys().map((k) => this.kick(k)));
    }
    await this.serial.idle();
    await this.activity.flush();
  }

  // ---- reads ----

  get(user: string, name: string): ServerRecord | undefined {
    return this.index.get(user, name);
  }

  serversOf(user: string): ServerRecord[] {
    return this.index.serversOf(user);
  }

  all(): ServerRecord[] {
    return this.index.all();
  }

  resolve(user: string, firstSegment: string | undefined): RouteEntry | undefined {
    return this.index.resolve(user, firstSegment);
  }

  running(): RunningRuntime[] {
    return this.index.running();
  }

  /** The culler's view: only the servers this instance owns are judged (and stopped) by it. */
  ownView(): OwnCullView {
    return {
      all: () => this.all().filter((r) => r.owner === this.me),
      running: () => this.running().filter((r) => this.index.get(r.user, r.server)?.owner === this.me),
      requestStop: (user, name, o) => this.requestStop(user, name, o),
      touch: (user, server, at) => this.touch(user, server, at),
      get: (user, name) => this.get(user, name),
    };
  }

  touch(user: string, server: string, at: number): void {
    this.activity.touch(user, server, at);
  }

  /** Resolves with the record once `pred` holds, or with the current record after `timeoutMs`. */
  waitFor(user: string, name: string, pred: (r: ServerRecord | undefined) => boolean, timeoutMs: number): Promise<ServerRecord | undefined> {
    return this.index.waitFor(keyOf(user, name), pred, timeoutMs);
  }

  // ---- requests: write the desired state, then let a pass act ----

  requestStart(user: string, name: string, o: { profile?: string | undefined; userOptions: Record<string, unknown>; by: string }): Promise<ServerRecord> {
    const key = keyOf(user, name);
    return this.serial.run(key, async () => {
      let rec = this.index.at(key);
      // A restart without a profile keeps the server's own (JupyterHub clients send an empty body).
      const profile = o.profile ?? rec?.profile ?? this.o.defaultProfile;
      if (!this.o.profiles.has(profile)) {
        throw badRequest(`Unknown profile ${JSON.stringify(profile)}; known: ${[...this.o.profiles].join(', ')}`);
      }
      if (rec?.state === 'pending') return rec;
      if (rec?.state === 'stopping') throw badRequest(`${describe(user, name)} is pending stop, please wait`);
      if (rec?.state === 'running') {
        await this.pass(key);
        rec = this.index.at(key);
        if (rec?.state === 'running') throw badRequest(`${describe(user, name)} is already running`);
      }
      const now = this.o.clock.now();
      const next: ServerRecord = {
        ...(rec ?? newServerRecord(user, name, now)),
        owner: this.sharing.actorOf(rec),
        profile,
        desired: 'running',
        state: 'pending',
        handle: null,
        target: null,
        runtimeToken: null,
        started: now,
        ready: null,
        lastActivity: now,
        stoppedAt: null,
        stopRequestedAt: null,
        stopReason: null,
        requestedBy: o.by,
        exitStatus: null,
        logTail: null,
        message: null,
        userOptions: o.userOptions,
        removeRequested: false,
      };
      const saved = await this.save(next);
      void this.kick(key);
      return saved;
    });
  }

  /** `onlyIf` is checked under the server's lock: a stop decided elsewhere (the culler) yields to what happened meanwhile. */
  requestStop(
    user: string,
    name: string,
    o: { by: string; reason: StopReason; remove?: boolean; onlyIf?: (rec: ServerRecord) => boolean },
  ): Promise<ServerRecord | undefined> {
    const key = keyOf(user, name);
    return this.serial.run(key, async () => {
      const rec = this.index.at(key);
      if (!rec) {
        if (name === '') return undefined;
        throw notFound(`${user} has no server named '${name}'`);
      }
      if (o.onlyIf && !o.onlyIf(rec)) return rec;
      if (rec.state === 'pending') throw badRequest(`${describe(user, name)} is pending spawn, please wait`);
      const owner = this.sharing.actorOf(rec);
      // Another live instance owns it: a deletion is written down for it, as the rest of the request is.
      const foreign = owner !== this.me;
      if (o.remove && !foreign) this.removeAfterStop.add(key);
      const removeRequested = rec.removeRequested || (foreign && o.remove === true);
      if (rec.state === 'stopping') {
        return removeRequested === rec.removeRequested ? rec : this.save({ ...rec, removeRequested });
      }
      if (rec.state === 'running') {
        const next: ServerRecord = { ...rec, owner, desired: 'stopped', state: 'stopping', stopReason: o.reason, requestedBy: o.by, stopRequestedAt: this.o.clock.now(), removeRequested };
        const saved = await this.save(next);
        void this.kick(key);
        return saved;
      }
      if (o.remove) {
        this.removeAfterStop.delete(key);
        if (foreign) return rec.removeRequested ? rec : this.save({ ...rec, removeRequested: true });
        await this.remove(key, rec);
      }
      return rec;
    });
  }

  /** Stops and forgets every server of a user (the user is being deleted). */
  async removeUser(user: string, by: string): Promise<void> {
    const recs = this.serversOf(user);
    if (recs.some((r) => r.state === 'pending')) throw badRequest(`${user} has a server starting; try again once it is ready`);
    await Promise.all(recs.map((r) => this.requestStop(user, r.name, { by, reason: 'admin', remove: true })));
    await Promise.all(recs.map((r) => this.waitFor(user, r.name, (x) => x === undefined, 30_000)));
    // Another live instance's (it did not finish in time) are left to it: their workspace is its to remove.
    for (const r of this.serversOf(user).filter((x) => x.owner === this.me)) await this.serial.run(keyOf(user, r.name), () => this.remove(keyOf(user, r.name), r));
  }

  /** Workspaces are kept under the user's name, so a user with servers is not renamed (their files would stay behind). */
  assertRenamable(user: string): void {
    const names = this.serversOf(user).map((r) => (r.name === '' ? '(default)' : r.name));
    if (names.length > 0) throw badRequest(`${user} has servers (${names.join(', ')}) whose files are kept under that name; delete them before renaming`);
  }

  // ---- the reconciler ----

  private kickAll(): void {
    for (const [key, rec] of this.index.entries()) {
      if (rec.owner === this.me && (rec.handle || rec.state !== 'stopped' || rec.removeRequested)) void this.kick(key);
    }
  }

  /** Each poll: alone, a pass over the records; shared, first a fresh look at the store. */
  private tick(): void {
    this.sharing.refresh(() => this.kickAll());
  }

  /** Never rejects (callers fire and forget): every error is logged where it happens. */
  private kick(key: string): Promise<void> {
    return this.serial.pass(key, () => this.pass(key)).catch((err: unknown) => this.o.log.error({ err, key }, 'reconcile pass failed'));
  }

  private async pass(key: string): Promise<void> {
    const rec = this.index.at(key);
    // Only the owner acts (single writer per runtime); the others show what it does.
    if (!rec || rec.owner !== this.me) return;
    let action: Action;
    let launch;
    try {
      launch = parseLaunchRecord(rec.handle);
      const observed: Observed = launch ? await this.o.spawner.poll(launch.spawner) : { status: 'none' };
      action = decide(rec, observed, this.readying.has(key));
      // A deletion asked for through another instance, once the runtime is down.
      if (action.kind === 'none' && rec.removeRequested && (rec.state === 'stopped' || rec.state === 'failed')) {
        await this.remove(key, rec);
        return;
      }
    } catch (err) {
      this.o.log.error({ err, user: rec.user, server: rec.name }, 'reconcile: cannot observe runtime');
      return;
    }
    if (action.kind !== 'none') this.o.log.debug({ user: rec.user, server: rec.name, action }, 'reconcile');
    try {
      await this.act(key, rec, action);
    } catch (err) {
      if (err instanceof HubError && err.code === 'CONFLICT') {
        // Written meanwhile through another instance (or taken over): the next pass starts from that.
        this.o.log.info({ user: rec.user, server: rec.name, action: action.kind }, 'reconcile: the record changed meanwhile; acting on it at the next pass');
        return;
      }
      this.o.log.error({ err, user: rec.user, server: rec.name, action: action.kind }, 'reconcile action failed');
      // A stop that failed keeps its handle and state: the next poll tries again rather than orphan the runtime.
      if (action.kind === 'stop') return;
      await this.fail(key, { message: errorMessage(err), exitStatus: null, logTail: null }, 'hub').catch((e: unknown) =>
        this.o.log.error({ err: e, user: rec.user, server: rec.name }, 'cannot record the failure'),
      );
    }
  }

  private async act(key: string, rec: ServerRecord, action: Action): Promise<void> {
    const now = this.o.clock.now();
    switch (action.kind) {
      case 'none':
        return;
      case 'launch':
        await this.launch(key, rec, 1, now);
        return;
      case 'await-ready': {
        const ac = new AbortController();
        this.readying.set(key, ac);
        this.awaitReady(key, ac);
        return;
      }
      case 'stop': {
        const launch = parseLaunchRecord(rec.handle);
        this.readying.get(key)?.abort();
        if (rec.state !== 'stopping') await this.save({ ...rec, state: 'stopping', stopRequestedAt: rec.stopRequestedAt ?? now });
        if (launch) await this.o.spawner.stop(launch.spawner, { graceful: true });
        const stopped = this.settled(this.index.at(key) ?? rec, 'stopped', this.o.clock.now());
        await this.save(stopped);
        if (this.removeAfterStop.delete(key) || stopped.removeRequested) await this.remove(key, stopped);
        return;
      }
      case 'mark-stopped':
        await this.save({ ...this.settled(rec, 'stopped', now), message: action.message ?? rec.message });
        if (this.removeAfterStop.delete(key) || rec.removeRequested) await this.remove(key, rec);
        return;
      case 'mark-failed': {
        const launch = parseLaunchRecord(rec.handle);
        const message = `The runtime exited ${action.signal ? `on ${action.signal}` : `with status ${String(action.exitCode)}`}${rec.state === 'pending' ? ' before it was ready' : ''}.`;
        let note: string | null = null;
        if (rec.state === 'pending' && launch && this.o.spawner.lostRace) {
          const lost = await this.o.spawner.lostRace(launch.spawner);
          const verdict = afterEarlyExit({ lost, attempt: launch.attempt ?? 1, remainingMs: this.startTimeLeft(rec, launch) });
          if (verdict.kind === 'relaunch') {
            await this.relaunch(key, rec, launch, verdict.attempt, lost);
            return;
          }
          note = verdict.note;
        }
        const logTail = launch ? await this.o.spawner.logTail(launch.spawner, this.o.logTailLines ?? 20) : null;
        const status = action.exitCode ?? (action.signal ? signalStatus(action.signal) : null);
        await this.fail(key, { message: note ? `${message} ${note}` : message, exitStatus: status, logTail });
        return;
      }
    }
  }

  /** Starts the runtime (try `attempt` of a start asked for at `started`) and waits for it in the background. */
  private async launch(key: string, rec: ServerRecord, attempt: number, started: number): Promise<void> {
    // A waiter on an earlier attempt ends without acting.
    this.readying.get(key)?.abort();
    const ac = new AbortController();
    this.readying.set(key, ac);
    try {
      const launched = await this.o.spawner.start(
        { user: rec.user, server: rec.name, profile: rec.profile, baseUrl: serverPath(rec.user, rec.name), userOptions: rec.userOptions },
        ac.signal,
      );
      try {
        await this.save({ ...rec, handle: toLaunchRecord(launched, attempt), target: launched.target, runtimeToken: launched.token, started });
      } catch (err) {
        // Not recorded, so nobody could reach or stop it later.
        await this.o.spawner.stop(launched.handle, { graceful: false }).catch(() => undefined);
        throw err;
      }
    } catch (err) {
      if (this.readying.get(key) === ac) this.readying.delete(key);
      throw err;
    }
    this.awaitReady(key, ac);
  }

  /**
   * A runtime that lost a race before it was ready (its port taken) is started again: the record stays
   * pending (no failure, no history event), and the start keeps its time, so the start timeout counts from
   * the first attempt. Logged, as the only trace of it.
   */
  private async relaunch(key: string, rec: ServerRecord, launch: LaunchRecord, attempt: number, lost: string | null): Promise<void> {
    this.o.log.info({ user: rec.user, server: rec.name, lost, attempt, attempts: START_ATTEMPTS }, 'runtime lost a race before it was ready; starting it again');
    // What may be left of it (a process group whose leader is gone).
    await this.o.spawner.stop(launch.spawner, { graceful: false });
    await this.launch(key, rec, attempt, rec.started ?? this.o.clock.now());
  }

  private startTimeLeft(rec: ServerRecord, launch: LaunchRecord): number {
    const now = this.o.clock.now();
    return launch.startTimeoutSeconds * 1000 - (now - (rec.started ?? now));
  }

  private awaitReady(key: string, ac: AbortController): void {
    const rec = this.index.at(key);
    const launch = rec && parseLaunchRecord(rec.handle);
    if (!rec || !launch || !rec.target || !rec.runtimeToken) {
      this.readying.delete(key);
      return;
    }
    const elapsed = this.o.clock.now() - (rec.started ?? this.o.clock.now());
    const listener = this.o.spawner.listener?.bind(this.o.spawner);
    void waitReady({
      url: rec.target + serverPath(rec.user, rec.name) + launch.readinessPath,
      token: rec.runtimeToken,
      timeoutMs: Math.max(0, launch.startTimeoutSeconds * 1000 - elapsed),
      signal: ac.signal,
      exited: async () => (await this.o.spawner.poll(launch.spawner)).status === 'exited',
      listener: listener && (() => listener(launch.spawner)),
    })
      .then((outcome) =>
      this.serial.run(key, async () => {
        if (this.readying.get(key) === ac) this.readying.delete(key);
        const cur = this.index.at(key);
        if (!cur || cur.handle !== rec.handle || cur.state !== 'pending') return;
        if (outcome === 'ready') {
          const now = this.o.clock.now();
          await this.save({ ...cur, state: 'running', ready: now, lastActivity: now });
        } else if (outcome === 'timeout') {
          await this.o.spawner.stop(launch.spawner, { graceful: true });
          const envName = `NBHUB_${launch.startTimeoutKey.replace(/\./g, '_').toUpperCase()}`;
          await this.fail(key, {
            message: `The runtime was not ready within ${launch.startTimeoutSeconds} s and was stopped. If it needs longer, raise ${launch.startTimeoutKey} (${envName}).`,
            exitStatus: null,
            logTail: await this.o.spawner.logTail(launch.spawner, this.o.logTailLines ?? 20),
          }, 'hub');
        } else if (outcome === 'exited') {
          void this.kick(key);
        } else if (outcome === 'taken') {
          await this.taken(key, cur, launch);
        }
      }),
      )
      .catch((err: unknown) => this.o.log.error({ err, user: rec.user, server: rec.name }, 'readiness: cannot record the outcome'));
  }

  /**
   * Another process listens where the runtime should (it took the port): the runtime can never serve there,
   * so it is stopped and, as one that lost a race, started again or failed (afterEarlyExit).
   */
  private async taken(key: string, rec: ServerRecord, launch: LaunchRecord): Promise<void> {
    await this.o.spawner.stop(launch.spawner, { graceful: false });
    const lost = `another process listens at its address ${rec.target ?? ''}`.trim();
    const verdict = afterEarlyExit({ lost, attempt: launch.attempt ?? 1, remainingMs: this.startTimeLeft(rec, launch) });
    try {
      if (verdict.kind === 'relaunch') return await this.relaunch(key, rec, launch, verdict.attempt, lost);
    } catch (err) {
      this.o.log.error({ err, user: rec.user, server: rec.name }, 'cannot start the runtime again');
      return this.fail(key, { message: errorMessage(err), exitStatus: null, logTail: null }, 'hub');
    }
    await this.fail(key, {
      message: `The runtime was stopped before it was ready: another process listens at its address. ${verdict.note ?? ''}`.trim(),
      exitStatus: null,
      logTail: await this.o.spawner.logTail(launch.spawner, this.o.logTailLines ?? 20),
    }, 'hub');
  }

  /** `by`: what caused the failure, for the history: the runtime itself, or the hub that gave up waiting. */
  private async fail(key: string, f: { message: string; exitStatus: number | null; logTail: string | null }, by: 'runtime' | 'hub' = 'runtime'): Promise<void> {
    const rec = this.index.at(key);
    if (!rec) return;
    this.o.log.warn({ user: rec.user, server: rec.name, exitStatus: f.exitStatus, message: f.message }, 'runtime failed');
    this.removeAfterStop.delete(key);
    await this.save({ ...this.settled(rec, 'failed', this.o.clock.now()), stopReason: 'failed', requestedBy: by, ...f });
  }

  private settled(rec: ServerRecord, state: 'stopped' | 'failed', now: number): ServerRecord {
    return { ...rec, desired: 'stopped', state, handle: null, target: null, runtimeToken: null, ready: null, stoppedAt: now };
  }

  private async remove(key: string, rec: ServerRecord): Promise<void> {
    await this.o.spawner.removeWorkspace({ user: rec.user, server: rec.name });
    await this.o.store.servers.delete(rec.user, rec.name);
    await this.o.store.history.deleteServer(rec.user, rec.name);
    this.index.forget(key);
    this.index.changed(key);
  }

  /**
   * Stores a change made from `rec` (compare and set on its version) and keeps it in memory. Throws CONFLICT,
   * writing nothing, when the stored record moved on meanwhile (written through another instance, or taken
   * over); the record in memory is then reloaded, so a retry starts from the current one.
   */
  private async save(rec: ServerRecord): Promise<ServerRecord> {
    const key = keyOf(rec.user, rec.name);
    const prev = this.index.at(key);
    const next: ServerRecord = { ...rec, version: rec.version + 1, lastActivity: later(rec.lastActivity, prev?.lastActivity) };
    if (!(await this.o.store.servers.write(next))) {
      await this.sharing.reload(rec.user, rec.name);
      // What won may be for this instance to carry out (a stop asked through another): a pass after this one.
      if (this.index.at(key)?.owner === this.me) void this.kick(key);
      throw conflict(`${describe(rec.user, rec.name)} was changed meanwhile (through another hub instance); nothing was done, please try again`);
    }
    const event = historyEvent(prev, next, this.o.clock.now());
    // After the record: a lost event is a gap in the history, a lost record would be a wrong state.
    if (event) await this.o.store.history.add(event).catch((err: unknown) => this.o.log.error({ err, event }, 'cannot record server history'));
    this.index.remember(next);
    this.activity.written(key);
    this.index.changed(key);
    return next;
  }
}

const describe = (user: string, name: string) => (name === '' ? `${user}'s server` : `${user}'s server ${name}`);

const errorMessage = (err: unknown): string => (err instanceof HubError || err instanceof Error ? err.message : String(err));

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
/** Shell convention: a process killed by signal N reports status 128+N. */
const signalStatus = (signal: string): number | null => (SIGNALS[signal] ? 128 + (SIGNALS[signal]) : null);
