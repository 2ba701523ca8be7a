import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ServerRecord } from '../core/models.js';
import type { RuntimeEnvironment, Spawner } from '../core/spawner.js';
import { serverPath } from '../core/urls.js';
import { parseLaunchRecord, toLaunchRecord, type LaunchRecord } from './launch-record.js';
import { waitReady } from './readiness.js';
import type { RecordIndex } from './record-index.js';
import type { RecordWriter } from './records.js';
import { afterEarlyExit, START_ATTEMPTS } from './retry.js';
import type { KeyedSerial } from './serial.js';

export interface Failure {
  message: string;
  exitStatus: number | null;
  logTail: string | null;
}

/** What starting needs of the reconciler: a failure recorded, or a pass. */
export interface StarterHost {
  /** `by`: what caused the failure, for the history: the runtime itself, or the hub that gave up waiting. */
  fail(key: string, f: Failure, by?: 'runtime' | 'hub'): Promise<void>;
  /** A pass on the server (never rejects). */
  kick(key: string): Promise<void>;
}

export interface StarterOptions {
  spawner: Spawner;
  clock: Clock;
  log: Logger;
  /** Lines of output kept with a failed runtime. */
  logTailLines?: number | undefined;
  index: RecordIndex;
  records: RecordWriter;
  serial: KeyedSerial;
  host: StarterHost;
  /** What the hub adds to a runtime's environment (a Spark cluster it is attached to); absent: nothing. */
  environment?: RuntimeEnvironment | undefined;
}

/**
 * The reconciler's starts: launching a runtime, waiting in the background until it is ready (readiness.ts),
 * and starting again one that lost a race before it was ready (retry.ts decides). At most one waiter per
 * server; the outcome is recorded under the server's lock, only while the record is still the one waited for.
 */
export class Starter {
  private readonly readying = new Map<string, AbortController>();

  constructor(private readonly o: StarterOptions) {}

  /** Whether this process already waits for the server's readiness (a pass then starts no second waiter). */
  waiting(key: string): boolean {
    return this.readying.has(key);
  }

  /** Ends the wait for the server without acting (it is being stopped, or no longer this instance's). */
  abort(key: string): void {
    this.readying.get(key)?.abort();
  }

  abortAll(): void {
    for (const ac of this.readying.values()) ac.abort();
  }

  /** Waits for a runtime that is starting without a waiter here (adopted after a restart, or taken over). */
  follow(key: string): void {
    const ac = new AbortController();
    this.readying.set(key, ac);
    this.awaitReady(key, ac);
  }

  /** Starts the runtime (try `attempt` of a start asked for at `started`) and waits for it in the background. */
  async launch(key: string, rec: ServerRecord, attempt: number, started: number): Promise<void> {
    // A waiter on an earlier attempt ends without acting.
    this.readying.get(key)?.abort();
    const ac = new AbortController();
    this.readying.set(key, ac);
    try {
      const spec = { user: rec.user, server: rec.name, profile: rec.profile, baseUrl: serverPath(rec.user, rec.name), userOptions: rec.userOptions };
      // Built at each start, from what the options name now (a cluster's address changes when it restarts).
      const environment = await this.o.environment?.forRuntime(spec);
      const launched = await this.o.spawner.start({ ...spec, environment }, ac.signal);
      try {
        await this.o.records.save({ ...rec, handle: toLaunchRecord(launched, attempt), target: launched.target, runtimeToken: launched.token, started });
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
   * A runtime that exited before it was ready: started again when it lost a race and attempts and time are
   * left (`relaunched`), else what its failure should add (`note`).
   */
  async earlyExit(key: string, rec: ServerRecord, launch: LaunchRecord): Promise<{ relaunched: boolean; note: string | null }> {
    if (!this.o.spawner.lostRace) return { relaunched: false, note: null };
    const lost = await this.o.spawner.lostRace(launch.spawner);
    const verdict = afterEarlyExit({ lost, attempt: launch.attempt ?? 1, remainingMs: this.startTimeLeft(rec, launch) });
    if (verdict.kind === 'fail') return { relaunched: false, note: verdict.note };
    await this.relaunch(key, rec, launch, verdict.attempt, lost);
    return { relaunched: true, note: null };
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

  private logTail(launch: LaunchRecord): Promise<string> {
    return this.o.spawner.logTail(launch.spawner, this.o.logTailLines ?? 20);
  }

  private awaitReady(key: string, ac: AbortController): void {
    const rec = this.o.index.at(key);
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
      clock: this.o.clock,
      signal: ac.signal,
      exited: async () => (await this.o.spawner.poll(launch.spawner)).status === 'exited',
      listener: listener && (() => listener(launch.spawner)),
    })
      .then((outcome) =>
        this.o.serial.run(key, async () => {
          if (this.readying.get(key) === ac) this.readying.delete(key);
          const cur = this.o.index.at(key);
          if (!cur || cur.handle !== rec.handle || cur.state !== 'pending') return;
          if (outcome === 'ready') {
            const now = this.o.clock.now();
            await this.o.records.save({ ...cur, state: 'running', ready: now, lastActivity: now });
          } else if (outcome === 'timeout') {
            await this.o.spawner.stop(launch.spawner, { graceful: true });
            const envName = `NBHUB_${launch.startTimeoutKey.replace(/\./g, '_').toUpperCase()}`;
            await this.o.host.fail(key, {
              message: `The runtime was not ready within ${launch.startTimeoutSeconds} s and was stopped. If it needs longer, raise ${launch.startTimeoutKey} (${envName}).`,
              exitStatus: null,
              logTail: await this.logTail(launch),
            }, 'hub');
          } else if (outcome === 'exited') {
            void this.o.host.kick(key);
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
      return this.o.host.fail(key, { message: errorMessage(err), exitStatus: null, logTail: null }, 'hub');
    }
    await this.o.host.fail(key, {
      message: `The runtime was stopped before it was ready: another process listens at its address. ${verdict.note ?? ''}`.trim(),
      exitStatus: null,
      logTail: await this.logTail(launch),
    }, 'hub');
  }
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
