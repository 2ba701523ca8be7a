import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { LogFiles } from '../../core/logs.js';
import type { Launched, Listener, PollResult, RuntimeSpec, Spawner, SpawnerHandle } from '../../core/spawner.js';
import { descendants, isAlive, readStat, signalGroup } from '../../procfs/proc.js';
import { holdsSocket, tcpListeners } from '../../procfs/sockets.js';
import { accepting, freePort, portBound } from './ports.js';
import { expand, type ResolvedProfile } from './profiles.js';
import { writeJupyterConfig } from './jupyter-config.js';

export interface LocalHandle extends SpawnerHandle {
  kind: 'local';
  pid: number;
  startTime: number;
  port: number;
  log: string;
}

export interface LocalSpawnerOptions {
  dataDir: string;
  profiles: ReadonlyMap<string, ResolvedProfile | { name: string; error: string }>;
  graceSeconds: number;
  ids: IdGenerator;
  /** Grace periods and the ports handed out lately are timed on it. */
  clock: Clock;
  /** Base environment of runtimes (the hub's own, by default). */
  env?: NodeJS.ProcessEnv;
  /** The hub's id, put on every runtime beside its name (NBHUB_HUB), so agents follow only their hub's. */
  hubId?: string;
  /** Where each start's output goes (src/logs owns the layout). Absent: one output.log per runtime, overwritten at each start. */
  logFiles?: LogFiles | undefined;
}

const asLocal = (h: SpawnerHandle): LocalHandle => {
  if (h.kind !== 'local' || typeof h['pid'] !== 'number') throw new Error(`not a local spawner handle: ${JSON.stringify(h)}`);
  return h as LocalHandle;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What runtimes print when their port is taken: jupyter_server ("The port 43479 is already in use."), Python
 * ("[Errno 98] Address already in use"), Node (EADDRINUSE), most others (strerror of EADDRINUSE).
 */
export const ADDRESS_IN_USE = /address already in use|EADDRINUSE|port \d+ is already in use/i;

/**
 * Each runtime is its own process group (detached), so it outlives a hub killed with SIGKILL and can be
 * adopted; its output goes to a file for the same reason (a pipe would break with the hub).
 */
export class LocalSpawner implements Spawner {
  readonly kind = 'local';
  /** Exit of each child this process spawned, resolved when Node has reaped it. */
  private readonly exits = new Map<number, Promise<{ code: number | null; signal: string | null }>>();
  private readonly listeners: Array<(h: SpawnerHandle) => void> = [];
  private readonly jupyterConfigDir: string;

  constructor(private readonly o: LocalSpawnerOptions) {
    this.jupyterConfigDir = writeJupyterConfig(join(o.dataDir, 'jupyter', 'config'));
  }

  workspaceOf(spec: Pick<RuntimeSpec, 'user' | 'server'>): string {
    const root = resolve(this.o.dataDir, 'workspaces');
    const dir = resolve(root, spec.user, spec.server === '' ? '_default' : spec.server);
    // Names are validated at the API edge; this guards the filesystem on its own anyway.
    if (!dir.startsWith(root + sep)) throw new Error(`workspace outside the data dir: ${dir}`);
    return dir;
  }

  async start(spec: RuntimeSpec, signal: AbortSignal): Promise<Launched> {
    const profile = this.o.profiles.get(spec.profile);
    if (!profile) throw new Error(`Unknown profile ${JSON.stringify(spec.profile)}`);
    if ('error' in profile) throw new Error(profile.error);
    signal.throwIfAborted();
    const workspace = this.workspaceOf(spec);
    const stateDir = join(this.o.dataDir, 'runtimes', spec.user, spec.server === '' ? '_default' : spec.server);
    mkdirSync(workspace, { recursive: true });
    mkdirSync(join(stateDir, 'runtime'), { recursive: true });
    // A hub killed between launching and storing the handle left this runtime behind: stop it first.
    const previous = join(stateDir, 'handle.json');
    if (existsSync(previous)) {
      try {
        await this.stop(JSON.parse(readFileSync(previous, 'utf8')) as LocalHandle, { graceful: false });
      } catch {
        // unreadable or already gone
      }
    }
    const port = await freePort('127.0.0.1', this.o.clock);
    const token = this.o.ids.random(24);
    const values = { ip: '127.0.0.1', port: String(port), base_url: spec.baseUrl, token, workspace };
    const [program, ...args] = profile.command.map((a) => expand(a, values));
    const log = this.o.logFiles?.newStart({ user: spec.user, server: spec.server, profile: spec.profile }) ?? join(stateDir, 'output.log');
    // Append mode: the hub rotates a log by truncating it (copytruncate), and the runtime goes on at the new end.
    const out = openSync(log, this.o.logFiles ? 'a' : 'w');
    // The hub's own settings (NBHUB_DATABASE_URL, NBHUB_AGENT_TOKEN, …) are not the runtime's business.
    const base = Object.fromEntries(Object.entries(this.o.env ?? process.env).filter(([k]) => !k.startsWith('NBHUB_')));
    const env: NodeJS.ProcessEnv = {
      ...base,
      ...(profile.binDir ? { PATH: [profile.binDir, base['PATH']].filter(Boolean).join(':'), VIRTUAL_ENV: dirname(profile.binDir) } : {}),
      JUPYTER_CONFIG_DIR: this.jupyterConfigDir,
      JUPYTER_DATA_DIR: join(this.o.dataDir, 'jupyter', 'data'),
      JUPYTER_RUNTIME_DIR: join(stateDir, 'runtime'),
      IPYTHONDIR: join(this.o.dataDir, 'jupyter', 'ipython'),
      ...(profile.jupyter ? { JUPYTER_TOKEN: token } : {}),
      ...profile.environment,
      // Marks every process of this runtime, so an agent can find them (inherited by kernels): which
      // runtime (user/server, unchanged) and, added later, of which hub.
      NBHUB_RUNTIME: `${spec.user}/${spec.server}`,
      ...(this.o.hubId ? { NBHUB_HUB: this.o.hubId } : {}),
      NBHUB_PORT: String(port),
      NBHUB_BASE_URL: spec.baseUrl,
      NBHUB_TOKEN: token,
      PYTHONUNBUFFERED: '1',
    };
    let child;
    try {
      child = spawn(program as string, args, { cwd: workspace, env, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run ${program}: ${err.message}`)));
      child.once('spawn', () => resolvePid(child.pid as number));
    });
    this.exits.set(
      pid,
      new Promise((resolveExit) =>
        child.once('exit', (code, sig) => {
          resolveExit({ code, signal: sig });
          for (const l of this.listeners) l(handle);
          // Long enough for the reconciler to read it; after that the pid may be reused.
          setTimeout(() => this.exits.delete(pid), 10 * 60_000).unref();
        }),
      ),
    );
    child.unref();
    const handle: LocalHandle = { v: 1, kind: 'local', pid, startTime: readStat(pid)?.startTime ?? 0, port, log };
    writeFileSync(previous, JSON.stringify(handle));
    return {
      handle,
      target: `http://127.0.0.1:${port}`,
      token,
      readinessPath: profile.readinessPath,
      startTimeoutSeconds: profile.startTimeoutSeconds,
      startTimeoutKey: `profiles.${profile.name}.start_timeout_seconds`,
    };
  }

  async poll(h: SpawnerHandle): Promise<PollResult> {
    const handle = asLocal(h);
    if (isAlive(handle.pid, handle.startTime)) return { status: 'running' };
    const ours = this.exits.get(handle.pid);
    if (ours) {
      // Our child: gone (or a zombie about to be reaped); its exit status is coming.
      const exit = await ours;
      return { status: 'exited', exitCode: exit.code, signal: exit.signal, adopted: false };
    }
    // Not our child (adopted after a hub restart): its exit status is not ours to read.
    return { status: 'exited', exitCode: null, signal: null, adopted: true };
  }

  async stop(h: SpawnerHandle, { graceful }: { graceful: boolean }): Promise<void> {
    const handle = asLocal(h);
    if (!isAlive(handle.pid, handle.startTime)) return;
    // Kernels run in sessions of their own (jupyter_client), so signal each descendant's group too.
    const groups = new Set<number>([handle.pid, ...descendants(handle.pid).map((p) => p.pgrp)]);
    const send = (sig: NodeJS.Signals) => groups.forEach((g) => signalGroup(g, sig));
    if (graceful) {
      send('SIGTERM');
      const ours = this.exits.get(handle.pid);
      if (ours) {
        // Our child: its exit event says the moment it is gone.
        await Promise.race([ours, sleep(this.o.graceSeconds * 1000)]);
      } else {
        const deadline = this.o.clock.now() + this.o.graceSeconds * 1000;
        while (this.o.clock.now() < deadline && isAlive(handle.pid, handle.startTime)) await sleep(10);
      }
    }
    send('SIGKILL');
    const killDeadline = this.o.clock.now() + 10_000;
    while (isAlive(handle.pid, handle.startTime)) {
      // A process stuck in the kernel (D state) or not ours to signal: give up; the reconciler retries.
      if (this.o.clock.now() > killDeadline) throw new Error(`process ${handle.pid} survived SIGKILL for 10 s`);
      await sleep(10);
    }
  }

  async logTail(h: SpawnerHandle, lines: number): Promise<string> {
    const handle = asLocal(h);
    let fd: number;
    try {
      fd = openSync(handle.log, 'r');
    } catch {
      return '';
    }
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString('utf8').split('\n').filter((l) => l.trim() !== '').slice(-lines).join('\n');
    } finally {
      closeSync(fd);
    }
  }

  async removeWorkspace(spec: Pick<RuntimeSpec, 'user' | 'server'>): Promise<void> {
    rmSync(this.workspaceOf(spec), { recursive: true, force: true });
  }

  rootPid(h: SpawnerHandle): number | null {
    const handle = asLocal(h);
    // A pid reused by another process after the runtime died must not be sampled or signalled as it.
    return isAlive(handle.pid, handle.startTime) ? handle.pid : null;
  }

  onExit(listener: (handle: SpawnerHandle) => void): void {
    this.listeners.push(listener);
  }

  /**
   * The port was free when chosen, but any process may bind it before the runtime does (another runtime's
   * start, a connection's ephemeral port). Whoever accepts connections on it is found by the listening
   * socket's inode among the runtime's process tree's open files; the connect first keeps the common
   * answer ('none', still starting) cheap, as /proc/net/tcp grows with every connection on the machine.
   */
  async listener(h: SpawnerHandle): Promise<Listener> {
    const handle = asLocal(h);
    if (!(await accepting(handle.port))) return 'none';
    const inodes = new Set(tcpListeners(handle.port));
    if (inodes.size === 0) return 'none';
    if (!isAlive(handle.pid, handle.startTime)) return 'other';
    const tree = [handle.pid, ...descendants(handle.pid).map((p) => p.pid)];
    return tree.some((pid) => holdsSocket(pid, inodes)) ? 'runtime' : 'other';
  }

  /** From facts: the port is bound by someone else now, or the runtime said it was (the taker may be gone since). */
  async lostRace(h: SpawnerHandle): Promise<string | null> {
    const handle = asLocal(h);
    // Only for a runtime that is gone: a live one may hold its port itself.
    if (isAlive(handle.pid, handle.startTime)) return null;
    if (await portBound(handle.port)) return `port ${handle.port} was taken by another process`;
    const said = (await this.logTail(handle, 20)).split('\n').find((l) => ADDRESS_IN_USE.test(l));
    return said ? `port ${handle.port} was taken by another process (the runtime said: ${said.trim().slice(-200)})` : null;
  }
}
