import type { Clock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ServerLogs } from '../core/logs.js';
import type { ServerRecord } from '../core/models.js';
import type { RuntimeEnvironment, Spawner } from '../core/spawner.js';
import type { Store } from '../core/store.js';
import type { ActivityBook } from './activity.js';
import { decide, type Action, type Observed } from './decide.js';
import { parseLaunchRecord } from './launch-record.js';
import { keyOf, type RecordIndex } from './record-index.js';
import { RecordWriter } from './records.js';
import type { RequestHost } from './requests.js';
import type { KeyedSerial } from './serial.js';
import { Sharing } from './sharing.js';
import { errorMessage, Starter, type Failure, type StarterHost } from './starter.js';

export interface ReconcilerOptions {
  store: Store;
  spawner: Spawner;
  clock: Clock;
  log: Logger;
  pollSeconds: number;
  /** Lines of output kept with a failed runtime. */
  logTailLines?: number | undefined;
  /** How often touched activity is written to the store (it is served from memory at once). */
  activityFlushMs?: number | undefined;
  /** This hub instance (instance-id.ts): the owner it writes on the servers it acts on. */
  instance?: string | undefined;
  /** Other instances may share the store (LifecycleOptions.shared). */
  shared?: { leaseMs: number } | undefined;
  /** A deleted server's logs go with it (LifecycleOptions.logs). */
  logs?: Pick<ServerLogs, 'removeServer'> | undefined;
  /** What the hub adds to a runtime's environment (LifecycleOptions.environment). */
  environment?: RuntimeEnvironment | undefined;
  index: RecordIndex;
  activity: ActivityBook;
  serial: KeyedSerial;
}

const ACTIVITY_FLUSH_MS = 10_000;

/**
 * The one reconciler (DESIGN.md idea 1): passes compare the desired state (written by requests.ts) with
 * what the spawner observes and act, one pass at a time per server (decide.ts decides, this acts; starts
 * and readiness waits are in starter.ts). The same pass runs at start-up, so a restarted hub adopts live
 * runtimes instead of spawning them twice.
 *
 * Several instances on one store (issue 6): each record has one owner, the only instance that reconciles
 * and culls it (ownership.ts decides who). The others reload the records every poll, so their API and proxy
 * see what the owner does; a request they get for another live instance's record only writes the desired
 * state (compare and set on the record's version), which the owner picks up at its next poll. The records
 * of an instance gone for a lease are claimed by a survivor and adopted like after a restart. Reload,
 * change notices, heartbeats and claims are in sharing.ts.
 */
export class Reconciler implements RequestHost, StarterHost {
  readonly me: string;
  /** The record writer, which requests share. */
  readonly records: RecordWriter;
  private readonly index: RecordIndex;
  private readonly sharing: Sharing;
  private readonly starter: Starter;
  private readonly removeAfterStop = new Set<string>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ReconcilerOptions) {
    this.me = o.instance ?? 'local';
    this.index = o.index;
    this.records = new RecordWriter({
      store: o.store,
      spawner: o.spawner,
      logs: o.logs,
      clock: o.clock,
      log: o.log,
      index: o.index,
      activity: o.activity,
      conflicted: async (user, name) => {
        await this.sharing.reload(user, name);
        // What won may be for this instance to carry out (a stop asked through another): a pass after this one.
        if (this.index.get(user, name)?.owner === this.me) void this.kick(keyOf(user, name));
      },
    });
    this.starter = new Starter({ spawner: o.spawner, clock: o.clock, log: o.log, logTailLines: o.logTailLines, environment: o.environment, index: o.index, records: this.records, serial: o.serial, host: this });
    this.sharing = new Sharing({
      store: o.store,
      clock: o.clock,
      log: o.log,
      me: this.me,
      shared: o.shared,
      index: o.index,
      activity: o.activity,
      serial: o.serial,
      host: {
        kick: (key) => void this.kick(key),
        deleted: (key) => this.removeAfterStop.delete(key),
        lost: (key) => this.starter.abort(key),
      },
    });
    o.spawner.onExit(() => this.kickAll());
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
    this.timers.push(setInterval(() => void this.o.activity.flush(), this.o.activityFlushMs ?? ACTIVITY_FLUSH_MS).unref());
    await this.sharing.follow();
  }

  async shutdown(options: { stopRuntimes: boolean }): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sharing.stop();
    // Waiters that see their runtime's state changed, or the hub stopping, end without acting.
    this.starter.abortAll();
    if (options.stopRuntimes) {
      // Straight to the desired state (a request would refuse a server still starting), then one pass each.
      await Promise.all(
        this.index
          .all()
          .filter((r) => r.owner === this.me && (r.state === 'running' || r.state === 'pending'))
          .map((r) =>
            this.o.serial.run(keyOf(r.user, r.name), async () => {
              const cur = this.index.get(r.user, r.name);
              if (cur) await this.records.save({ ...cur, desired: 'stopped', state: 'stopping', stopReason: 'shutdown', requestedBy: 'hub', stopRequestedAt: this.o.clock.now() });
            }),
          ),
      );
      await Promise.all(this.index.keys().map((k) => this.kick(k)));
    }
    await this.o.serial.idle();
    await this.o.activity.flush();
  }

  // ---- what requests ask of it (RequestHost) ----

  actorOf(rec: ServerRecord | undefined): string | null {
    return this.sharing.actorOf(rec);
  }

  /** Never rejects (callers fire and forget): every error is logged where it happens. */
  kick(key: string): Promise<void> {
    return this.o.serial.pass(key, () => this.pass(key)).catch((err: unknown) => this.o.log.error({ err, key }, 'reconcile pass failed'));
  }

  passHeld(key: string): Promise<void> {
    return this.pass(key);
  }

  removeOnStop(key: string, remove: boolean): void {
    if (remove) this.removeAfterStop.add(key);
    else this.removeAfterStop.delete(key);
  }

  // ---- the loop ----

  private kickAll(): void {
    for (const [key, rec] of this.index.entries()) {
      if (rec.owner === this.me && (rec.handle || rec.state !== 'stopped' || rec.removeRequested)) void this.kick(key);
    }
  }

  /** Each poll: alone, a pass over the records; shared, first a fresh look at the store. */
  private tick(): void {
    this.sharing.refresh(() => this.kickAll());
  }

  private async pass(key: string): Promise<void> {
    const rec = this.index.at(key);
    // Only the owner acts (single writer per runtime); the others show what it does.
    if (!rec || rec.owner !== this.me) return;
    let action: Action;
    try {
      const launch = parseLaunchRecord(rec.handle);
      const observed: Observed = launch ? await this.o.spawner.poll(launch.spawner) : { status: 'none' };
      action = decide(rec, observed, this.starter.waiting(key));
    } catch (err) {
      this.o.log.error({ err, user: rec.user, server: rec.name }, 'reconcile: cannot observe runtime');
      return;
    }
    // A deletion asked for through another instance, once the runtime is down.
    if (action.kind === 'none' && rec.removeRequested && (rec.state === 'stopped' || rec.state === 'failed')) {
      await this.records.remove(key, rec).catch((err: unknown) => this.o.log.error({ err, user: rec.user, server: rec.name }, 'reconcile: cannot remove the server; trying again at the next poll'));
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
        await this.starter.launch(key, rec, 1, now);
        return;
      case 'await-ready':
        this.starter.follow(key);
        return;
      case 'stop': {
        const launch = parseLaunchRecord(rec.handle);
        this.starter.abort(key);
        if (rec.state !== 'stopping') await this.records.save({ ...rec, state: 'stopping', stopRequestedAt: rec.stopRequestedAt ?? now });
        if (launch) await this.o.spawner.stop(launch.spawner, { graceful: true });
        const stopped = settled(this.index.at(key) ?? rec, 'stopped', this.o.clock.now());
        await this.records.save(stopped);
        if (this.removeAfterStop.delete(key) || stopped.removeRequested) await this.records.remove(key, stopped);
        return;
      }
      case 'mark-stopped':
        await this.leftovers(rec);
        await this.records.save({ ...settled(rec, 'stopped', now), message: action.message ?? rec.message });
        if (this.removeAfterStop.delete(key) || rec.removeRequested) await this.records.remove(key, rec);
        return;
      case 'mark-failed': {
        const launch = parseLaunchRecord(rec.handle);
        const how = action.reason ? `ended (${action.reason})` : `exited ${action.signal ? `on ${action.signal}` : `with status ${String(action.exitCode)}`}`;
        const message = `The runtime ${how}${rec.state === 'pending' ? ' before it was ready' : ''}.`;
        let note: string | null = null;
        if (rec.state === 'pending' && launch) {
          const early = await this.starter.earlyExit(key, rec, launch);
          if (early.relaunched) return;
          note = early.note;
        }
        const logTail = launch ? await this.o.spawner.logTail(launch.spawner, this.o.logTailLines ?? 20) : null;
        await this.leftovers(rec);
        const status = action.exitCode ?? (action.signal ? signalStatus(action.signal) : null);
        await this.fail(key, { message: note ? `${message} ${note}` : message, exitStatus: status, logTail });
        return;
      }
    }
  }

  /**
   * A runtime that exited by itself may leave processes the spawner started beside it (its named apps):
   * stopping what is gone stops those. A failure here is logged; the record still settles.
   */
  private async leftovers(rec: ServerRecord): Promise<void> {
    const launch = parseLaunchRecord(rec.handle);
    if (launch) await this.o.spawner.stop(launch.spawner, { graceful: false }).catch((err: unknown) => this.o.log.warn({ err, user: rec.user, server: rec.name }, 'cannot stop what the runtime left'));
  }

  /** `by`: what caused the failure, for the history: the runtime itself, or the hub that gave up waiting. */
  async fail(key: string, f: Failure, by: 'runtime' | 'hub' = 'runtime'): Promise<void> {
    const rec = this.index.at(key);
    if (!rec) return;
    this.o.log.warn({ user: rec.user, server: rec.name, exitStatus: f.exitStatus, message: f.message }, 'runtime failed');
    this.removeAfterStop.delete(key);
    await this.records.save({ ...settled(rec, 'failed', this.o.clock.now()), stopReason: 'failed', requestedBy: by, ...f });
  }
}

/** A record whose runtime is gone: nothing left to reach or stop. */
const settled = (rec: ServerRecord, state: 'stopped' | 'failed', now: number): ServerRecord => ({
  ...rec,
  desired: 'stopped',
  state,
  handle: null,
  target: null,
  runtimeToken: null,
  ready: null,
  stoppedAt: now,
});

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
/** Shell convention: a process killed by signal N reports status 128+N. */
const signalStatus = (signal: string): number | null => (SIGNALS[signal] ? 128 + SIGNALS[signal] : null);
