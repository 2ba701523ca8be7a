import type { AppConfig } from '../config/app-schema.js';
import type { AppDirectory, AppIntent, AppLaunched, AppLauncher, AppRuntime, AppRuntimes, AppStatus, AppUpstream } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import { conflict, HubError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { describeServer } from '../core/names.js';
import type { PollResult, Spawner } from '../core/spawner.js';
import { appConfigOf, appPath, idleStatus, STOPPED_ON_PURPOSE_NOTE, stoppedOnPurposeMessage, type AppCatalog } from './catalog.js';
import { demand } from './demand.js';
import { groupKey, newEntry, sameHandle, type Entry, type Group } from './entries.js';
import { waitAppReady } from './ready.js';
import { afterAppExit } from './restart.js';

export interface AppSupervisorOptions {
  runtimes: AppRuntimes;
  launcher: AppLauncher;
  /** The spawner's side of an app's handle: it is polled, stopped and read like a runtime's. */
  processes: Pick<Spawner, 'poll' | 'stop' | 'logTail' | 'onExit' | 'listener'>;
  catalog: AppCatalog;
  clock: Clock;
  log: Logger;
  /** How often running apps are polled for an exit nobody reported (adopted ones), and stopped runtimes let go. */
  pollMs: number;
  /** Lines of an app's output quoted when it fails. */
  logTailLines?: number;
}

/**
 * The named apps of the running runtimes (core AppDirectory): started on the first ensure (a visit, the
 * console, an open page's traffic; after an explicit stop only a visit: demand.ts), waited for until they
 * answer their readiness path, started again when they die (restart.ts decides the backoff), and forgotten
 * when their runtime stops (the spawner stops their processes with it).
 * Only this hub's memory: after a restart, an app still running is adopted from the spawner (findApp).
 */
export class AppSupervisor implements AppDirectory {
  private readonly groups = new Map<string, Group>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: AppSupervisorOptions) {
    o.processes.onExit((handle) => {
      for (const g of this.groups.values()) {
        for (const e of g.entries.values()) if (e.launched && sameHandle(e.launched.handle, handle)) void this.check(g, e);
      }
    });
  }

  /** Starts the polls. */
  open(): void {
    this.timer = setInterval(() => void this.sweep(), this.o.pollMs).unref();
  }

  /** Ends the waits and timers; the apps keep running, to be adopted by the next hub or stopped with their runtime. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const g of this.groups.values()) this.drop(g);
    this.groups.clear();
  }

  async list(user: string, server: string): Promise<AppStatus[] | undefined> {
    const runtime = this.o.runtimes.runtimeOf(user, server);
    if (!runtime) return undefined;
    const g = this.groupOf(user, server, runtime);
    const apps = Object.entries(this.o.catalog.get(runtime.profile) ?? {});
    await Promise.all(apps.map(([name, config]) => this.adopt(g, this.entryOf(g, name, config))));
    return apps.map(([name, config]) => this.statusOf(g, this.entryOf(g, name, config)));
  }

  async ensure(user: string, server: string, app: string, o: { intent: AppIntent }): Promise<AppUpstream> {
    const { g, e } = this.find(user, server, app);
    const d = demand({ intent: o.intent, state: e.state, stoppedOnPurpose: e.stoppedOnPurpose });
    if (d === 'use' && e.launched) return { target: e.launched.target, stripPrefix: e.config.strip_prefix };
    if (d === 'refuse') throw new HubError('UNAVAILABLE', stoppedOnPurposeMessage(user, server, app));
    if (e.starting) return e.starting;
    // Asked for again: an app left failed after dying over and over gets its full series of restarts back.
    if (e.state === 'failed') e.quickDeaths = 0;
    e.stoppedOnPurpose = false;
    return this.begin(g, e);
  }

  async stop(user: string, server: string, app: string): Promise<void> {
    const { e } = this.find(user, server, app);
    const halted = this.halt(e);
    // Set after halt() (which clears the state) and before its wait: traffic arriving meanwhile is refused.
    e.stoppedOnPurpose = true;
    e.message = STOPPED_ON_PURPOSE_NOTE;
    await halted;
  }

  // ---- starting ----

  /** A start, shared by whoever asks meanwhile; its failure is the app's state and the caller's error. */
  private begin(g: Group, e: Entry): Promise<AppUpstream> {
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    e.state = 'starting';
    e.message = null;
    const ac = new AbortController();
    e.abort = ac;
    const run = this.launch(g, e, ac.signal).finally(() => {
      if (e.abort === ac) e.abort = null;
      e.starting = null;
    });
    e.starting = run;
    // Nobody may be waiting (a restart): the outcome is in the app's state; the rejection is not unhandled.
    run.catch(() => undefined);
    return run;
  }

  private async launch(g: Group, e: Entry, signal: AbortSignal): Promise<AppUpstream> {
    // A stop still under way: its process is not taken for a running app, nor is its handle replaced meanwhile.
    await e.halting;
    const spec = { user: g.user, server: g.server, app: e.name, profile: g.runtime.profile, command: e.config.command, environment: e.config.environment, baseUrl: appPath(g.user, g.server, e.name) };
    let launched: AppLaunched;
    try {
      // Still running from before a hub restart: taken as it is (and waited for, should it be starting).
      launched = (await this.o.launcher.findApp(g.runtime.handle, spec)) ?? (await this.o.launcher.startApp(g.runtime.handle, spec, signal));
    } catch (err) {
      throw this.failed(e, `The app ${e.name} could not be started: ${err instanceof Error ? err.message : String(err)}`, '');
    }
    e.launched = launched;
    e.since = this.o.clock.now();
    // The runtime may have stopped meanwhile (its stop would have missed this app): the app goes too.
    if (!this.current(g) || signal.aborted) {
      await this.o.processes.stop(launched.handle, { graceful: false }).catch(() => undefined);
      e.launched = null;
      e.state = 'stopped';
      throw conflict(`${describeServer(g.user, g.server)} stopped while its app ${e.name} was starting`);
    }
    const base = e.config.strip_prefix ? '' : spec.baseUrl.slice(0, -1);
    const listener = this.o.processes.listener?.bind(this.o.processes);
    const outcome = await waitAppReady({
      url: launched.target + base + e.config.readiness_path,
      timeoutMs: e.config.timeout_seconds * 1000,
      clock: this.o.clock,
      signal,
      exited: async () => (await this.o.processes.poll(launched.handle)).status === 'exited',
      listener: listener && (() => listener(launched.handle)),
    });
    switch (outcome) {
      case 'ready':
        e.state = 'running';
        e.message = null;
        return { target: launched.target, stripPrefix: e.config.strip_prefix };
      case 'aborted':
        throw conflict(`The app ${e.name} was stopped before it was ready`);
      case 'timeout': {
        await this.o.processes.stop(launched.handle, { graceful: true }).catch(() => undefined);
        const key = `profiles.${g.runtime.profile}.apps.${e.name}.timeout_seconds`;
        throw this.failed(e, `The app ${e.name} was not ready within ${e.config.timeout_seconds} s and was stopped. If it needs longer, raise ${key}.`, await this.tail(launched));
      }
      case 'taken':
        await this.o.processes.stop(launched.handle, { graceful: false }).catch(() => undefined);
        throw this.failed(e, `The app ${e.name} was stopped before it was ready: another process took its port; start it again.`, await this.tail(launched));
      case 'exited': {
        const exit = await this.o.processes.poll(launched.handle);
        throw this.failed(e, `The app ${e.name} ${exitWords(exit)} before it was ready.`, await this.tail(launched));
      }
    }
  }

  /** Records the failure on the app and returns the error its callers get: what happened and the end of its output. */
  private failed(e: Entry, message: string, tail: string): HubError {
    e.state = 'failed';
    e.launched = null;
    e.message = tail ? `${message}\nIts last output:\n${tail}` : message;
    this.o.log.warn({ app: e.name, message }, 'app failed');
    return new HubError('UNAVAILABLE', e.message);
  }

  private tail(l: AppLaunched): Promise<string> {
    return this.o.processes.logTail(l.handle, this.o.logTailLines ?? 20).catch(() => '');
  }

  /** After a hub restart: the app this runtime's spawner still runs is taken as it is. */
  private async adopt(g: Group, e: Entry): Promise<void> {
    // An app its user stopped is not taken back, should its process linger.
    if (e.state !== 'stopped' || e.launched || e.starting || e.halting || e.stoppedOnPurpose) return;
    const found = await this.o.launcher.findApp(g.runtime.handle, { user: g.user, server: g.server, app: e.name }).catch(() => null);
    if (!found || e.state !== 'stopped' || e.starting || !this.current(g)) return;
    e.launched = found;
    e.since = this.o.clock.now();
    e.state = 'running';
  }

  // ---- dying, stopping ----

  /** An app that may have exited: started again after its backoff, or left failed. */
  private async check(g: Group, e: Entry): Promise<void> {
    const launched = e.launched;
    if (!launched || e.state !== 'running') return;
    const exit = await this.o.processes.poll(launched.handle);
    if (exit.status !== 'exited' || e.launched !== launched || e.state !== 'running') return;
    e.launched = null;
    if (!this.current(g)) return this.forget(g);
    const verdict = afterAppExit({ ranMs: this.o.clock.now() - e.since, quickDeaths: e.quickDeaths });
    e.quickDeaths = verdict.quickDeaths;
    if (verdict.kind === 'give-up') {
      this.failed(e, `The app ${e.name} ${exitWords(exit)} ${verdict.quickDeaths} times in a row soon after starting; it is left stopped until it is asked for again.`, await this.tail(launched));
      return;
    }
    e.restarts++;
    e.state = 'starting';
    e.message = `It ${exitWords(exit)}; starting it again in ${Math.ceil(verdict.delayMs / 1000)} s.`;
    this.o.log.info({ user: g.user, server: g.server, app: e.name, exit, delayMs: verdict.delayMs }, 'app exited; starting it again');
    e.timer = setTimeout(() => {
      e.timer = null;
      if (this.current(g) && !e.starting) void this.begin(g, e);
    }, verdict.delayMs);
    e.timer.unref();
  }

  private async halt(e: Entry): Promise<void> {
    e.abort?.abort();
    if (e.timer) clearTimeout(e.timer);
    e.timer = null;
    const launched = e.launched;
    e.launched = null;
    e.state = 'stopped';
    e.message = null;
    e.quickDeaths = 0;
    if (!launched) return;
    const halting = this.o.processes.stop(launched.handle, { graceful: true }).finally(() => {
      if (e.halting === halting) e.halting = null;
    });
    e.halting = halting;
    await halting;
  }

  /** Each poll: exits nobody reported (adopted apps are not the hub's children), and runtimes gone. */
  private async sweep(): Promise<void> {
    for (const g of [...this.groups.values()]) {
      if (!this.current(g)) {
        this.forget(g);
        continue;
      }
      for (const e of g.entries.values()) await this.check(g, e).catch((err: unknown) => this.o.log.error({ err, app: e.name }, 'app: cannot poll'));
    }
  }

  // ---- bookkeeping ----

  private find(user: string, server: string, app: string): { g: Group; e: Entry } {
    const runtime = this.o.runtimes.runtimeOf(user, server);
    if (!runtime) throw conflict(`${describeServer(user, server)} is not running`);
    const config = appConfigOf(this.o.catalog, runtime.profile, user, server, app);
    const g = this.groupOf(user, server, runtime);
    return { g, e: this.entryOf(g, app, config) };
  }

  /** Whether the group's runtime is still the one running. */
  private current(g: Group): boolean {
    const now = this.o.runtimes.runtimeOf(g.user, g.server);
    return now !== undefined && now.started === g.runtime.started && sameHandle(now.handle, g.runtime.handle);
  }

  private groupOf(user: string, server: string, runtime: AppRuntime): Group {
    const key = groupKey(user, server);
    const cur = this.groups.get(key);
    if (cur && cur.runtime.started === runtime.started && sameHandle(cur.runtime.handle, runtime.handle)) return cur;
    if (cur) this.forget(cur);
    const g: Group = { user, server, runtime, entries: new Map() };
    this.groups.set(key, g);
    return g;
  }

  private entryOf(g: Group, name: string, config: AppConfig): Entry {
    let e = g.entries.get(name);
    if (!e) g.entries.set(name, (e = newEntry(name, config)));
    return e;
  }

  private statusOf(g: Group, e: Entry): AppStatus {
    return { ...idleStatus(g.user, g.server, e.name, e.config), state: e.state, message: e.message, restarts: e.restarts };
  }

  /** The runtime stopped: its apps went with it (the spawner's stop); what this hub waited for ends. */
  private forget(g: Group): void {
    this.drop(g);
    if (this.groups.get(groupKey(g.user, g.server)) === g) this.groups.delete(groupKey(g.user, g.server));
  }

  private drop(g: Group): void {
    for (const e of g.entries.values()) {
      e.abort?.abort();
      if (e.timer) clearTimeout(e.timer);
      e.timer = null;
    }
  }
}

const exitWords = (exit: PollResult): string =>
  exit.status !== 'exited' ? 'stopped' : exit.signal ? `was killed by ${exit.signal}` : exit.exitCode !== null ? `exited with status ${exit.exitCode}` : 'exited';
