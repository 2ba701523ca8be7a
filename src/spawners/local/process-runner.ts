import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { ProcessExit, ProcessRef, ProcessRunner, RunningProcess, RunRequest } from '../../core/services.js';
import { descendants, isAlive, readStat, signalGroup } from '../../procfs/proc.js';
import { freePort } from './ports.js';

export interface LocalProcessRunnerOptions {
  clock: Clock;
  /** The environment the processes start from (the hub's); NBHUB_* keys are removed from it. */
  env: NodeJS.ProcessEnv;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The hub's own helper processes (managed services) on this machine. As with runtimes (local-spawner.ts),
 * each is a detached process group writing to a file, so a hub killed with SIGKILL leaves it running and
 * findable; the pid file with the start time lets the next hub stop it instead of running a second copy.
 */
export class LocalProcessRunner implements ProcessRunner {
  private readonly exits = new Map<number, Promise<ProcessExit>>();
  private readonly base: Record<string, string>;

  constructor(private readonly o: LocalProcessRunnerOptions) {
    // The hub's own settings (NBHUB_DATABASE_URL, NBHUB_AGENT_TOKEN, …) are not a service's business.
    this.base = Object.fromEntries(Object.entries(o.env).filter((e): e is [string, string] => !e[0].startsWith('NBHUB_') && e[1] !== undefined));
  }

  async run(r: RunRequest): Promise<RunningProcess> {
    const [program, ...args] = r.command;
    if (program === undefined) throw new Error('empty command');
    mkdirSync(dirname(r.logFile), { recursive: true });
    mkdirSync(dirname(r.pidFile), { recursive: true });
    const out = openSync(r.logFile, 'a');
    let child;
    try {
      writeSync(out, `--- ${new Date(this.o.clock.now()).toISOString()} nbhub: starting\n`);
      child = spawn(program, args, { env: { ...this.base, ...r.env }, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => {
        const message = `cannot run ${program}: ${err.message}`;
        // In the start's log too, where an admin reading the service's output looks for why it is not running.
        try {
          appendFileSync(r.logFile, `nbhub: ${message}\n`);
        } catch {
          // The message still goes to the hub's log.
        }
        reject(new Error(message));
      });
      child.once('spawn', () => resolve(child.pid as number));
    });
    const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.exits.set(pid, exited);
    void exited.then(() => setTimeout(() => this.exits.delete(pid), 60_000).unref());
    child.unref();
    const ref = { pid, startTime: readStat(pid)?.startTime ?? 0 };
    writeFileSync(r.pidFile, JSON.stringify(ref));
    return { ...ref, exited };
  }

  async stop(p: ProcessRef, pidFile: string, graceMs: number): Promise<void> {
    await this.stopTree(p, graceMs);
    rmSync(pidFile, { force: true });
  }

  async stopLeftover(pidFile: string, graceMs: number): Promise<boolean> {
    let ref: ProcessRef;
    try {
      ref = JSON.parse(readFileSync(pidFile, 'utf8')) as ProcessRef;
    } catch {
      return false;
    }
    const alive = typeof ref.pid === 'number' && typeof ref.startTime === 'number' && isAlive(ref.pid, ref.startTime);
    if (alive) await this.stopTree(ref, graceMs);
    rmSync(pidFile, { force: true });
    return alive;
  }

  alive(p: ProcessRef): boolean {
    return isAlive(p.pid, p.startTime);
  }

  freePort(): Promise<number> {
    return freePort('127.0.0.1', this.o.clock);
  }

  /** SIGTERM to the process's group and its descendants' (they may have made sessions of their own), then SIGKILL. */
  private async stopTree(p: ProcessRef, graceMs: number): Promise<void> {
    if (!isAlive(p.pid, p.startTime)) return;
    const groups = new Set<number>([p.pid, ...descendants(p.pid).map((d) => d.pgrp)]);
    const send = (sig: NodeJS.Signals) => groups.forEach((g) => signalGroup(g, sig));
    send('SIGTERM');
    const ours = this.exits.get(p.pid);
    if (ours) await Promise.race([ours, sleep(graceMs)]);
    else {
      const deadline = this.o.clock.now() + graceMs;
      while (this.o.clock.now() < deadline && isAlive(p.pid, p.startTime)) await sleep(20);
    }
    send('SIGKILL');
    const killDeadline = this.o.clock.now() + 10_000;
    while (isAlive(p.pid, p.startTime)) {
      if (this.o.clock.now() > killDeadline) throw new Error(`process ${p.pid} survived SIGKILL for 10 s`);
      await sleep(10);
    }
  }
}
