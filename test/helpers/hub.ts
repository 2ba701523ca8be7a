import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/spawners/local/ports.js';

/** The built CLI (npm test builds first), run as a real process: tests kill it with real signals. */
export const NBHUB_BIN = fileURLToPath(new URL('../../bin/nbhub.js', import.meta.url));

export interface TestHub {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Output of the hub so far (for failure messages). */
  output(): string;
  /** Runs `nbhub <args>` against this hub's data dir; returns stdout. */
  cli(args: string[], input?: string): string;
  /** Creates a user with a password and returns an API token for them. */
  addUser(name: string, o?: { admin?: boolean; password?: string }): string;
  api(path: string, init?: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the hub again on the same port and data dir (after kill). */
  restart(): Promise<void>;
  /** Stops the hub and every runtime it started, and removes the data dir. */
  dispose(): Promise<void>;
}

export interface TestHubOptions {
  config?: string;
  env?: Record<string, string>;
}

/** Sends `signal` to a process the test started and waits for it to exit (at once when it already has). */
export const killAndWait = async (proc: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
};

const waitUp = async (url: string, proc: ChildProcess, out: () => string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`hub exited with ${proc.exitCode}:\n${out()}`);
    try {
      const r = await fetch(url + '/hub/api/');
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`hub did not come up:\n${out()}`);
};

export const startTestHub = async (o: TestHubOptions = {}): Promise<TestHub> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nbhub-test-'));
  const port = await freePort();
  const configFile = join(dataDir, 'nbhub.yaml');
  writeFileSync(configFile, o.config ?? '');
  const env = { ...process.env, NBHUB_LOG_LEVEL: 'warn', ...o.env };
  let log = '';
  let proc!: ChildProcess;
  const launch = async () => {
    proc = spawn(process.execPath, [NBHUB_BIN, 'start', '--config', configFile, '--port', String(port), '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitUp(`http://127.0.0.1:${port}`, proc, () => log);
  };
  await launch();
  const url = `http://127.0.0.1:${port}`;
  const cli = (args: string[], input?: string) =>
    execFileSync(process.execPath, [NBHUB_BIN, ...args, '--config', configFile, '--data-dir', dataDir], { env, input: input ?? '', encoding: 'utf8' });
  const hub: TestHub = {
    url,
    port,
    dataDir,
    get proc() {
      return proc;
    },
    output: () => log,
    cli,
    addUser: (name, uo = {}) => {
      cli(['user', 'add', name, ...(uo.admin ? ['--admin'] : []), '--password-stdin'], (uo.password ?? `${name}-password`) + '\n');
      return cli(['token', 'create', name]).trim();
    },
    api: (path, init = {}) =>
      fetch(url + path, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token ? { authorization: `token ${init.token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...init.headers,
        },
        ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
      }),
    kill: (signal) => killAndWait(proc, signal),
    restart: launch,
    dispose: async () => {
      await hub.kill('SIGKILL');
      // Stop every runtime this hub left (they are detached process groups marked with the data dir).
      try {
        execFileSync('pkill', ['-KILL', '-f', dataDir]);
      } catch {
        // none left
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return hub;
};

/** Starts `user`'s default server with their token and waits until the API says it runs (throws with the hub's output after `ms`). */
export const startDefaultServer = async (hub: TestHub, user: string, token: string, ms = 90_000): Promise<void> => {
  const r = await hub.api(`/hub/api/users/${user}/server`, { method: 'POST', token });
  if (r.status !== 201 && r.status !== 202) throw new Error(`start answered ${r.status}: ${await r.text()}`);
  const deadline = Date.now() + ms;
  for (;;) {
    const u = (await (await hub.api(`/hub/api/users/${user}`, { token })).json()) as { servers: Record<string, { nbhub: { state: string } }> };
    if (u.servers['']?.nbhub.state === 'running') return;
    if (Date.now() > deadline) throw new Error(`server did not start:\n${hub.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
