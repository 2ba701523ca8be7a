import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { profileSchema } from '../../config/schema.js';
import { cryptoIds } from '../../core/ids.js';
import { spawnerContract } from '../spawner.contract.js';
import { LocalSpawner } from './local-spawner.js';
import { detectJupyterCommand, JUPYTER_MISSING, resolveProfile, type ResolvedProfile } from './profiles.js';

const profile = (name: string, command: string[], readinessPath = ''): ResolvedProfile => ({
  name, displayName: name, command, environment: {}, readinessPath, startTimeoutSeconds: 10, jupyter: false,
});

const dir = mkdtempSync(join(tmpdir(), 'nbhub-spawner-'));
const profiles = new Map([
  ['ok', profile('ok', ['node', '-e', "console.log('hello from the runtime'); require('fs').writeFileSync('marker', 'x'); require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1')", '{port}'])],
  ['crash', profile('crash', ['sh', '-c', 'echo crashing now; exit 7'])],
]);
const make = () => new LocalSpawner({ dataDir: dir, profiles, graceSeconds: 2, ids: cryptoIds });

spawnerContract('local', async () => ({ make, cleanup: async () => rmSync(dir, { recursive: true, force: true }) }));

const own = mkdtempSync(join(tmpdir(), 'nbhub-spawner-own-'));
afterAll(() => rmSync(own, { recursive: true, force: true }));

it('local: keeps the workspace across stop and start, and removes it only when asked', async () => {
  const spawner = new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds });
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
  const spawner = new LocalSpawner({ dataDir: dir, profiles: new Map([['p', profile('p', ['node', join(dir, 'probe.js')])]]), graceSeconds: 1, ids: cryptoIds });
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

it('local: picks JupyterLab, else the classic notebook, else jupyter server, else names the packages', () => {
  const has = (...names: string[]) => (p: string) => (names.includes(p) ? `/usr/bin/${p}` : undefined);
  expect(detectJupyterCommand(has('jupyter-lab', 'jupyter-notebook'))?.slice(0, 2)).toEqual(['jupyter', 'lab']);
  expect(detectJupyterCommand(has('jupyter-notebook', 'jupyter-server'))?.slice(0, 2)).toEqual(['jupyter', 'notebook']);
  expect(detectJupyterCommand(has('jupyter-server'))?.slice(0, 2)).toEqual(['jupyter', 'server']);
  const none = resolveProfile('default', profileSchema.parse({}), has());
  expect(none).toEqual({ name: 'default', error: JUPYTER_MISSING });
  expect(JUPYTER_MISSING).toContain('apt-get install -y jupyter-notebook python3-jupyter-server python3-ipykernel');
});

it('local: a start stops the runtime a crashed hub launched but never recorded', async () => {
  const spawner = new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds });
  const spec = { user: 'dave', server: 'x', profile: 'ok', baseUrl: '/user/dave/x/', userOptions: {} };
  const lost = await spawner.start(spec, new AbortController().signal);
  // The hub "forgets" the handle (killed before storing it) and starts the same server again.
  const again = await new LocalSpawner({ dataDir: own, profiles, graceSeconds: 1, ids: cryptoIds }).start(spec, new AbortController().signal);
  expect((await spawner.poll(lost.handle)).status).toBe('exited');
  expect(await spawner.poll(again.handle)).toEqual({ status: 'running' });
  await spawner.stop(again.handle, { graceful: false });
});
