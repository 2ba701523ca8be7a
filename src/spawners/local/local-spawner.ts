import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { AppLaunched, AppLauncher, AppLaunchSpec } from '../../core/apps.js';
import type { Clock } from '../../core/clock.js';
import { sha256hex, type IdGenerator } from '../../core/ids.js';
import type { LogFiles } from '../../core/logs.js';
import { withRuntimeEnv, type Launched, type Listener, type PollResult, type RuntimeEnv, type RuntimeSpec, type Spawner, type SpawnerHandle } from '../../core/spawner.js';
import { descendants, isAlive, readStat, signalGroup } from '../../procfs/proc.js';
import { holdsSocket, tcpListeners } from '../../procfs/sockets.js';
import { runtimeHoldsPort } from './port-owner.js';
import { accepting, freePort, portBound } from './ports.js';
import { expand, type ResolvedProfile } from './profiles.js';
import { writeJupyterConfig } from './jupyter-config.js';
import { writeIdentityModule } from './jupyter-identity.js';
import { appHandleFiles, appHandlePath, appLogPath, stateDirOf } from './state-dir.js';

export interface LocalHandle extends SpawnerHandle {
  kind: 'local';
  pid: number;
  startTime: number;
  port: number;
  log: string;
  /** The runtime's state dir (state-dir.ts), where its apps' handles are; absent in older handles: the log's folder. */
  stateDir?: string;
  /** Set on a named app's handle: which app of the runtime it is. */
  app?: string;
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
export class LocalSpawner implements Spawner, AppLauncher {
  readonly kind = 'local';
  /** Exit of each child this process spawned, resolved when Node has reaped it. */
  private readonly exits = new Map<number, Promise<{ code: number | null; signal: string | null }>>();
  private readonly listeners: Array<(h: SpawnerHandle) => void> = [];
  private readonly jupyterConfigDir: string;
  private readonly identityDir: string;

  constructor(private readonly o: LocalSpawnerOptions) {
    this.jupyterConfigDir = writeJupyterConfig(join(o.dataDir, 'jupyter', 'config'));
    this.identityDir = writeIdentityModule(join(o.dataDir, 'jupyter', 'python'));
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
    const stateDir = stateDirOf(this.o.dataDir, spec.user, spec.server);
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
    const base = this.environment(profile, spec, stateDir, spec.environment);
    // A runtime with nbhub's identity provider holds only the secret's hash: nothing it shows (a page, its
    // environment, `ps`) lets anyone past it without the hub. Others get the secret itself, as before.
    const secret: NodeJS.ProcessEnv = profile.hubIdentity
      ? { NBHUB_AUTH_SHA256: sha256hex(token), PYTHONPATH: [this.identityDir, base['PYTHONPATH']].filter(Boolean).join(':') }
      : { ...(profile.jupyter ? { JUPYTER_TOKEN: token } : {}), NBHUB_TOKEN: token };
    const env: NodeJS.ProcessEnv = { ...base, ...secret, NBHUB_PORT: String(port), NBHUB_BASE_URL: spec.baseUrl };
    const handle = await this.launch({ program: program as string, args, cwd: workspace, env, log, append: this.o.logFiles !== undefined }, (pid, startTime) => ({ v: 1, kind: 'local', pid, startTime, port, log, stateDir }));
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

  /**
   * The environment of a runtime's processes, its named apps' included (so they run as its own), without
   * what is the runtime's alone (its port and token).
   */
  private environment(profile: ResolvedProfile, spec: Pick<RuntimeSpec, 'user' | 'server'>, stateDir: string, added?: RuntimeEnv): NodeJS.ProcessEnv {
    // The hub's own settings (NBHUB_DATABASE_URL, NBHUB_AGENT_TOKEN, …) are not the runtime's business.
    const base = Object.fromEntries(Object.entries(this.o.env ?? process.env).filter(([k]) => !k.startsWith('NBHUB_')));
    const own = {
      ...base,
      ...(profile.binDir ? { PATH: [profile.binDir, base['PATH']].filter(Boolean).join(':'), VIRTUAL_ENV: dirname(profile.binDir) } : {}),
      JUPYTER_CONFIG_DIR: this.jupyterConfigDir,
      JUPYTER_DATA_DIR: join(this.o.dataDir, 'jupyter', 'data'),
      JUPYTER_RUNTIME_DIR: join(stateDir, 'runtime'),
      IPYTHONDIR: join(this.o.dataDir, 'jupyter', 'ipython'),
      ...profile.environment,
    };
    return {
      // What the hub adds (a Spark cluster's settings) over the profile's; the markers below still win.
      ...withRuntimeEnv(own, added),
      // Marks every process of this runtime, so an agent can find them (inherited by kernels): which
      // runtime (user/server, unchanged) and, added later, of which hub.
      NBHUB_RUNTIME: `${spec.user}/${spec.server}`,
      ...(this.o.hubId ? { NBHUB_HUB: this.o.hubId } : {}),
      PYTHONUNBUFFERED: '1',
    };
  }

  /** Runs a process in a group of its own, its output to `log`; its exit is reported to the onExit listeners. */
  private async launch(
    p: { program: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; log: string; append: boolean },
    handleOf: (pid: number, startTime: number) => LocalHandle,
  ): Promise<LocalHandle> {
    mkdirSync(dirname(p.log), { recursive: true });
    // Append mode: the hub rotates a log by truncating it (copytruncate), and the process goes on at the new end.
    const out = openSync(p.log, p.append ? 'a' : 'w');
    let child;
    try {
      child = spawn(p.program, p.args, { cwd: p.cwd, env: p.env, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once('error', (err) => reject(new Error(`cannot run ${p.program}: ${err.message}`)));
      child.once('spawn', () => resolvePid(child.pid as number));
    });
    const handle = handleOf(pid, readStat(pid)?.startTime ?? 0);
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
    return handle;
  }

  /**
   * A named app beside the runtime: its workspace, its environment and markers (so the agent counts the app
   * to the runtime), a process group of its own, a free port. Its handle is kept in the runtime's state dir,
   * so stopping the runtime stops it, even from a restarted hub.
   */
  async startApp(runtime: SpawnerHandle, spec: AppLaunchSpec, signal: AbortSignal): Promise<AppLaunched> {
    const rt = asLocal(runtime);
    const profile = this.o.profiles.get(spec.profile);
    if (!profile) throw new Error(`Unknown profile ${JSON.stringify(spec.profile)}`);
    if ('error' in profile) throw new Error(profile.error);
    if (!isAlive(rt.pid, rt.startTime)) throw new Error('the runtime is not running');
    signal.throwIfAborted();
    const stateDir = stateDirOf(this.o.dataDir, spec.user, spec.server);
    const handleFile = appHandlePath(stateDir, spec.app);
    mkdirSync(dirname(handleFile), { recursive: true });
    // A hub killed between launching and recording the app left it behind: stop it first.
    const left = readHandle(handleFile);
    if (left) await this.stop(left, { graceful: false });
    const port = await freePort('127.0.0.1', this.o.clock);
    const values = { port: String(port), base_url: spec.baseUrl };
    const [program, ...args] = spec.command.map((a) => expand(a, values));
    const env: NodeJS.ProcessEnv = {
      ...this.environment(profile, spec, stateDir),
      ...Object.fromEntries(Object.entries(spec.environment).map(([k, v]) => [k, expand(v, values)])),
      NBHUB_APP: spec.app,
    };
    const log = this.o.logFiles?.appLog(spec.user, spec.server, spec.app) ?? appLogPath(stateDir, spec.app);
    const handle = await this.launch({ program: program as string, args, cwd: this.workspaceOf(spec), env, log, append: true }, (pid, startTime) => ({ v: 1, kind: 'local', pid, startTime, port, log, stateDir, app: spec.app }));
    writeFileSync(handleFile, JSON.stringify(handle));
    return { handle, target: `http://127.0.0.1:${port}` };
  }

  async findApp(_runtime: SpawnerHandle, spec: Pick<AppLaunchSpec, 'user' | 'server' | 'app'>): Promise<AppLaunched | null> {
    const handle = readHandle(appHandlePath(stateDirOf(this.o.dataDir, spec.user, spec.server), spec.app));
    return handle && isAlive(handle.pid, handle.startTime) ? { handle, target: `http://127.0.0.1:${handle.port}` } : null;
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
    const stateDir = handle.stateDir ?? dirname(handle.log);
    if (handle.app === undefined) {
      // A runtime's apps go with it (also when the runtime itself is gone already).
      await Promise.all(appHandleFiles(stateDir).map((f) => this.stopFile(f, graceful)));
    }
    await this.stopTree(handle, graceful);
    if (handle.app !== undefined) {
      const file = appHandlePath(stateDir, handle.app);
      // Only this start's record: an app started again meanwhile keeps its own.
      if (readHandle(file)?.pid === handle.pid) rmSync(file, { force: true });
    }
  }

  private async stopFile(file: string, graceful: boolean): Promise<void> {
    const app = readHandle(file);
    if (app) await this.stopTree(app, graceful);
    rmSync(file, { force: true });
  }

  private async stopTree(handle: LocalHandle, graceful: boolean): Promise<void> {
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

  /** Only a port the runtime's own processes listen on (port-owner.ts): 127.0.0.1 is shared with everything else here. */
  async portTarget(h: SpawnerHandle, port: number): Promise<string | null> {
    const handle = asLocal(h);
    if (!isAlive(handle.pid, handle.startTime)) return null;
    return runtimeHoldsPort(handle.pid, port) ? `http://127.0.0.1:${port}` : null;
  }
}

const readHandle = (file: string): LocalHandle | null => {
  try {
    return asLocal(JSON.parse(readFileSync(file, 'utf8')) as SpawnerHandle);
  } catch {
    return null;
  }
};
