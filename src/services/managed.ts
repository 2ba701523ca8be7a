import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { ProcessExit, ProcessRunner, RunningProcess } from '../core/services.js';
import { DEFAULT_BACKOFF, restartDelay, type BackoffPolicy } from '../core/restart-backoff.js';

export interface ManagedServiceOptions {
  name: string;
  command: readonly string[];
  /** The whole environment added for it (JUPYTERHUB_* and the configured `environment`). */
  env: Readonly<Record<string, string>>;
  /** A new file for each start of its process (the log layout's, so it is kept, rotated and shipped). */
  logFile: () => string;
  pidFile: string;
  runner: ProcessRunner;
  clock: Clock;
  log: Logger;
  /** Between SIGTERM and SIGKILL when the hub stops it. */
  graceMs: number;
  backoff?: BackoffPolicy;
}

/**
 * One managed service's process, kept running: started once the hub listens, started again when it dies
 * (after the delay `restartDelay` decides), stopped with the hub. A copy left by a hub that was killed is
 * stopped first, so there is never two.
 */
export class ManagedService {
  private current: RunningProcess | null = null;
  private launching: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopping = false;
  /** The latest start's output, named when the service dies. */
  private lastLog = '';

  constructor(private readonly o: ManagedServiceOptions) {}

  /** Its process's pid while it runs. */
  get pid(): number | null {
    return this.current?.pid ?? null;
  }

  async start(): Promise<void> {
    const o = this.o;
    if (await o.runner.stopLeftover(o.pidFile, o.graceMs).catch(() => false)) {
      o.log.warn({ service: o.name }, `service ${o.name}: stopped the copy a previous hub left running`);
    }
    await this.launch();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.launching;
    const p = this.current;
    this.current = null;
    if (p) await this.o.runner.stop(p, this.o.pidFile, this.o.graceMs);
  }

  private launch(): Promise<void> {
    const run = this.runOnce().finally(() => {
      if (this.launching === run) this.launching = null;
    });
    this.launching = run;
    return run;
  }

  private async runOnce(): Promise<void> {
    const o = this.o;
    if (this.stopping) return;
    const startedAt = o.clock.now();
    let proc: RunningProcess;
    try {
      this.lastLog = o.logFile();
      proc = await o.runner.run({ command: o.command, env: o.env, logFile: this.lastLog, pidFile: o.pidFile });
    } catch (err) {
      o.log.error({ service: o.name, err }, `service ${o.name}: cannot start`);
      this.restartLater(0, null);
      return;
    }
    this.current = proc;
    o.log.info({ service: o.name, pid: proc.pid }, `service ${o.name} started`);
    void proc.exited.then((exit) => {
      if (this.current !== proc) return;
      this.current = null;
      if (!this.stopping) this.restartLater(o.clock.now() - startedAt, exit);
    });
  }

  private restartLater(ranMs: number, exit: ProcessExit | null): void {
    const d = restartDelay(this.failures, ranMs, this.o.backoff ?? DEFAULT_BACKOFF);
    this.failures = d.failures;
    const how = exit ? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`) : 'did not start';
    this.o.log.warn({ service: this.o.name, ...exit, restart_in_ms: d.delayMs }, `service ${this.o.name} ${how}; restarting in ${d.delayMs} ms (see ${this.lastLog})`);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.launch();
    }, d.delayMs);
    this.timer.unref();
  }
}
