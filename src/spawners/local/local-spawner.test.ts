import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { profileSchema } from '../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import { cryptoIds, sha256hex } from '../../core/ids.js';
import { spawnerContract } from '../spawner.contract.js';
import { ADDRESS_IN_USE, LocalSpawner, type LocalHandle } from './local-spawner.js';
import { defaultJupyterEnv } from '../../config/load.js';
import { detectJupyter, JUPYTER_MISSING, systemLookup, type JupyterLookup } from './jupyter-detect.js';
import { resolveProfile, type ResolvedProfile } from './profiles.js';

const profile = (name: string, command: string[], readinessPath = ''): ResolvedProfile => ({
  name, displayName: name, command, environment: {}, readinessPath, startTimeoutSeconds: 10, jupyter: false, hubIdentity: false,
});

const dir = mkdtempSync(join(tmpdir(), 'nbhub-spawner-'));
const profiles = new Map([
  ['ok', profile('ok', ['node', '-e', "console.log('hello from the runtime'); require('fs').writeFileSync('marker', 'x'); require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1')", '{port}'])],
  ['crash', profile('crash', ['sh', '-c', 'echo crashing now; exit 7'])],
  // Binds after a second of "starting up"; a taken port ends it with Node's EADDRINUSE error (status 1).
  ['late', profile('late', ['node', '-e', "setTimeout(() => require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1'), 1000)", '{port}'])],
]);
const make = () => new LocalSpawner({ dataDir: dir, profiles, graceSeconds: 2, ids: cryptoIds, clock: systemClock });

// Another process than this test's (holding the port for whatever the runtime starts meanwhile):
// listening, or only bound (the port is taken, yet nobody accepts connections there).
const LISTEN = "require('net').createServer().listen(+process.argv[1], '127.0.0.1', () => console.log('held'))";
const BIND_ONLY = "import socket, sys, time\ns = socket.socket()\ns.bind(('127.0.0.1', int(sys.argv[1])))\nprint('held', flush=True)\ntime.sleep(600)";

/** Takes 127.0.0.1:port in another process until released. */
const occupy = async (port: number, how: 'listen' | 'bind' = 'listen'): Promise<() => Promise<void>> => {
  const child = how === 'listen'
    ? spawn('node', ['-e', LISTEN, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn('python3', ['-c', BIND_ONLY, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`occupier exited with ${String(c)}`)));
  });
  return async () => {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
};

spawnerContract('local', async () => ({
  make,
  cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  takeAddress: (l) => occupy((l.handle as LocalHandle).port),
}));

const own = mkdtempSync(join(tmpdir(), 'nbhub-spawner-own-'));
afterAll(() => rmSync(own, { recursive: true, force: true }));

it('local: keeps the workspace across stop and start, and removes it only when asked', async () => {
  const spawner = new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  const spec = { user: 'carol', server: 'w', profile: 'ok', baseUrl: '/user/carol/w/', userOptions: {} };
  const marker = join(own, 'workspaces', 'carol', 'w', 'marker');
  const first = await spawner.start(spec, new AbortController().signal);
  await expect.poll(() => existsSync(marker)).toBe(true);
  await spawner.stop(first.handle, { graceful: true });
  expect(existsSync(marker)).toBe(true);
  await spawner.removeWorkspace(spec);
  expect(existsSync(join(own, 'workspaces', 'carol', 'w'))).toBe(false);
  await expect(spawner.removeWorkspace({ user: '..', server: '..' })).rejects.toThrow(/outside the data dir/);
});

it('local: runs each runtime in its workspace, marked for agents, with the token in its environment', async () => {
  const dir = own;
  writeFileSync(join(dir, 'probe.js'), "require('fs').writeFileSync('env.json', JSON.stringify(process.env)); setInterval(() => {}, 1000)");
  const spawner = new LocalSpawner({ dataDir: dir, profiles: new Map([['p', profile('p', ['node', join(dir, 'probe.js')])]]), graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  const launched = await spawner.start({ user: 'bob', server: '', profile: 'p', baseUrl: '/user/bob/', userOptions: {} }, new AbortController().signal);
  const envFile = join(dir, 'workspaces', 'bob', '_default', 'env.json');
  await expect.poll(() => existsSync(envFile)).toBe(true);
  await new Promise((r) => setTimeout(r, 100));
  const env = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
  expect(env['NBHUB_RUNTIME']).toBe('bob/');
  expect(env['NBHUB_TOKEN']).toBe(launched.token);
  expect(env['NBHUB_BASE_URL']).toBe('/user/bob/');
  await spawner.stop(launched.handle, { graceful: true });
});

it("local: a runtime with nbhub's identity provider gets the secret's hash and the module, never the secret", async () => {
  const dir = own;
  writeFileSync(join(dir, 'probe-hash.js'), "require('fs').writeFileSync('env.json', JSON.stringify(process.env)); setInterval(() => {}, 1000)");
  const p: ResolvedProfile = { ...profile('h', ['node', join(dir, 'probe-hash.js')]), jupyter: true, hubIdentity: true };
  const spawner = new LocalSpawner({ dataDir: dir, profiles: new Map([['h', p]]), graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  const launched = await spawner.start({ user: 'hana', server: '', profile: 'h', baseUrl: '/user/hana/', userOptions: {} }, new AbortController().signal);
  const envFile = join(dir, 'workspaces', 'hana', '_default', 'env.json');
  await expect.poll(() => existsSync(envFile)).toBe(true);
  await new Promise((r) => setTimeout(r, 100));
  const env = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
  expect(env['NBHUB_AUTH_SHA256']).toBe(sha256hex(launched.token));
  expect(Object.values(env).some((v) => v.includes(launched.token))).toBe(false);
  const moduleDir = (env['PYTHONPATH'] ?? '').split(':')[0] as string;
  expect(readFileSync(join(moduleDir, 'nbhub_identity.py'), 'utf8')).toContain('class HubIdentityProvider');
  await spawner.stop(launched.handle, { graceful: true });
});

it('local: picks the nbhub environment, else jupyter-lab on PATH, else Debian\'s notebook, else jupyter server, else says how to install', () => {
  const lookup = (o: { env?: boolean; path?: string[] }): JupyterLookup => ({
    envDir: '/opt/env',
    which: (p) => (o.path?.includes(p) ? `/usr/bin/${p}` : undefined),
    isExecutable: (p) => o.env === true && p === '/opt/env/bin/jupyter-lab',
    sitePackagesOf: () => ['/opt/env/lib/python3.11/site-packages'],
    version: (site, dist) => new Map([['/opt/env/lib/python3.11/site-packages:jupyterlab', '4.6.6'], ['/usr/lib/python3/dist-packages:notebook', '6.4.12']]).get(`${site}:${dist}`),
    asRoot: false,
  });
  const env = detectJupyter(lookup({ env: true, path: ['jupyter-lab', 'jupyter-notebook'] }));
  expect(env?.command.slice(0, 2)).toEqual(['/opt/env/bin/jupyter', 'lab']);
  expect(env?.label).toBe('JupyterLab 4.6.6');
  expect(env?.binDir).toBe('/opt/env/bin');
  expect(detectJupyter(lookup({ path: ['jupyter-lab', 'jupyter-notebook'] }))?.command.slice(0, 2)).toEqual(['jupyter', 'lab']);
  const debian = detectJupyter(lookup({ path: ['jupyter-notebook', 'jupyter-server'] }));
  expect(debian?.command.slice(0, 2)).toEqual(['jupyter', 'notebook']);
  expect(debian?.label).toBe('Jupyter Notebook 6.4.12 (Debian)');
  expect(detectJupyter(lookup({ path: ['jupyter-server'] }))?.command.slice(0, 2)).toEqual(['jupyter', 'server']);
  expect(resolveProfile('default', profileSchema.parse({}), detectJupyter(lookup({})))).toEqual({ name: 'default', error: JUPYTER_MISSING });
  expect(JUPYTER_MISSING).toContain('scripts/install-deps.sh');
  // The console names what the default profile runs; a configured name wins.
  expect(resolveProfile('default', profileSchema.parse({}), env)).toMatchObject({ displayName: 'JupyterLab 4.6.6', jupyter: true });
  expect(resolveProfile('default', profileSchema.parse({ display_name: 'Python' }), env)).toMatchObject({ displayName: 'Python' });
});

const envDir = defaultJupyterEnv(process.env);
// Skipped only where the install script fell back to Debian's packages (PyPI unreachable; it says so).
it.skipIf(!existsSync(join(envDir, 'bin', 'jupyter-lab')))('local: finds JupyterLab and its version in the environment the install script made', () => {
  expect(detectJupyter(systemLookup(envDir))?.label).toMatch(/^JupyterLab 4\.\d+\.\d+$/);
});

it('local: a start stops the runtime a crashed hub launched but never recorded', async () => {
  const spawner = new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  const spec = { user: 'dave', server: 'x', profile: 'ok', baseUrl: '/user/dave/x/', userOptions: {} };
  const lost = await spawner.start(spec, new AbortController().signal);
  // The hub "forgets" the handle (killed before storing it) and starts the same server again.
  const again = await new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds, clock: systemClock }).start(spec, new AbortController().signal);
  expect((await spawner.poll(lost.handle)).status).toBe('exited');
  expect(await spawner.poll(again.handle)).toEqual({ status: 'running' });
  await spawner.stop(again.handle, { graceful: false });
});

it('local: a runtime whose port was only bound by another process (nobody listening) exits, and lost a race; it still did once the port is free again, from what it said', async () => {
  const spawner = make();
  const launched = await spawner.start({ user: 'erin', server: 'r', profile: 'late', baseUrl: '/user/erin/r/', userOptions: {} }, new AbortController().signal);
  const port = (launched.handle as LocalHandle).port;
  const release = await occupy(port, 'bind');
  try {
    // Nobody accepts connections: the readiness wait goes on until the runtime exits.
    expect(await spawner.listener(launched.handle)).toBe('none');
    await expect.poll(async () => (await spawner.poll(launched.handle)).status, { timeout: 10_000 }).toBe('exited');
    expect(await spawner.lostRace(launched.handle)).toBe(`port ${port} was taken by another process`);
  } finally {
    await release();
  }
  expect(await spawner.lostRace(launched.handle)).toMatch(new RegExp(`^port ${port} was taken by another process \\(the runtime said: .*EADDRINUSE`));
});

it('local: knows what runtimes say when their port is taken', () => {
  for (const said of [
    '[W 2026-05-04 12:00:00.000 ServerApp] The port 43479 is already in use.',
    'OSError: [Errno 98] Address already in use',
    'Error: listen EADDRINUSE: address already in use 127.0.0.1:43479',
    'bind: Address already in use',
  ]) expect(ADDRESS_IN_USE.test(said)).toBe(true);
  for (const other of ['Permission to listen on port 80 denied.', 'fatal: cannot open /nonexistent/config.yaml', 'Serving at port 43479']) expect(ADDRESS_IN_USE.test(other)).toBe(false);
});

it("local: an adopted runtime that ignores SIGTERM is killed once the grace period has passed on the hub's clock", async () => {
  const stubborn = profile('stubborn', ['node', '-e', "process.on('SIGTERM', () => {}); require('fs').writeFileSync('armed', 'x'); setInterval(() => {}, 1000)"]);
  const spec = { user: 'fay', server: 's', profile: 'stubborn', baseUrl: '/user/fay/s/', userOptions: {} };
  const first = new LocalSpawner({ dataDir: own, profiles: new Map([['stubborn', stubborn]]), graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  const launched = await first.start(spec, new AbortController().signal);
  try {
    await expect.poll(() => existsSync(join(own, 'workspaces', 'fay', 's', 'armed'))).toBe(true);
    // A restarted hub (another spawner: the runtime is not its child) with an hour of grace, on a clock the test moves.
    const clock = { now: () => 1_000_000 };
    const adopter = new LocalSpawner({ dataDir: own, profiles: new Map([['stubborn', stubborn]]), graceSeconds: 3600, ids: cryptoIds, clock });
    let stopped = false;
    const stopping = adopter.stop(launched.handle, { graceful: true }).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(stopped).toBe(false);
    expect(await adopter.poll(launched.handle)).toEqual({ status: 'running' });
    clock.now = () => 1_000_000 + 3600_000;
    await stopping;
    expect((await adopter.poll(launched.handle)).status).toBe('exited');
  } finally {
    await first.stop(launched.handle, { graceful: false });
  }
});

it("local: runs a named app beside its runtime (workspace, markers, own port, appended output) and stops it with the runtime, even from another hub", async () => {
  writeFileSync(join(own, 'app.js'), "require('fs').writeFileSync('app-env.json', JSON.stringify({ ...process.env, cwd: process.cwd(), argv: process.argv.slice(2) })); console.log('app up'); require('http').createServer((q, s) => s.end('app')).listen(+process.argv[2], '127.0.0.1')");
  const withEnv: ResolvedProfile = { ...profile('ok', profiles.get('ok')?.command ?? []), environment: { FROM_PROFILE: 'yes' } };
  const spawner = new LocalSpawner({ dataDir: own, profiles: new Map([['ok', withEnv]]), graceSeconds: 1, ids: cryptoIds, clock: systemClock, hubId: 'hub-1' });
  const rt = await spawner.start({ user: 'gus', server: 'a', profile: 'ok', baseUrl: '/user/gus/a/', userOptions: {} }, new AbortController().signal);
  const spec = { user: 'gus', server: 'a', app: 'board', profile: 'ok', command: ['node', join(own, 'app.js'), '{port}', '{base_url}'], environment: { WHERE: '{base_url}' }, baseUrl: '/user/gus/a/apps/board/' };
  const app = await spawner.startApp(rt.handle, spec, new AbortController().signal);
  const envFile = join(own, 'workspaces', 'gus', 'a', 'app-env.json');
  await expect.poll(() => existsSync(envFile) && readFileSync(envFile, 'utf8').length > 0).toBe(true);
  await expect.poll(async () => (await fetch(app.target).catch(() => null))?.status).toBe(200);
  const env = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, unknown>;
  const port = (app.handle as LocalHandle).port;
  expect(env).toMatchObject({ NBHUB_RUNTIME: 'gus/a', NBHUB_HUB: 'hub-1', NBHUB_APP: 'board', FROM_PROFILE: 'yes', WHERE: '/user/gus/a/apps/board/', argv: [String(port), '/user/gus/a/apps/board/'] });
  expect(env['cwd']).toBe(join(own, 'workspaces', 'gus', 'a'));
  // The runtime's secret is its own.
  expect(env['NBHUB_TOKEN']).toBeUndefined();
  expect(port).not.toBe((rt.handle as LocalHandle).port);
  expect(await spawner.logTail(app.handle, 5)).toContain('app up');
  // A restarted hub finds it; stopping the runtime stops it too.
  const other = new LocalSpawner({ dataDir: own, profiles: new Map([['ok', withEnv]]), graceSeconds: 1, ids: cryptoIds, clock: systemClock });
  expect((await other.findApp(rt.handle, spec))?.target).toBe(app.target);
  await other.stop(rt.handle, { graceful: true });
  expect((await spawner.poll(app.handle)).status).toBe('exited');
  expect(await other.findApp(rt.handle, spec)).toBeNull();
});
