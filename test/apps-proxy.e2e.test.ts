/**
 * Web apps inside a runtime, through `/user/{name}/{server}/proxy/{port}/` (issue 18): a runtime
 * (helpers/apps-runtime.py) starts real apps as its children: an app that echoes its request headers and
 * redirects, Streamlit (WebSockets, relative links: reached with the prefix stripped, /proxy/{port}/) and
 * butterfly (a terminal over WebSocket with absolute links: told its root path, reached through
 * /proxy/absolute/{port}/), each as a browser would use it. Culling: timeout 20 s,
 * judged every 5 s; an app used for 30 s keeps its server, the same server left alone is culled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appsBin, appsEnv, APPS_MISSING, butterflyEcho, openWs as openWsAt } from './helpers/apps.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));
const ENV = appsEnv();

const echo = { name: 'echo', argv: ['python3', helper('echo-app.py'), '{port}'] };
const apps = (env: string) => [
  echo,
  {
    name: 'streamlit',
    argv: [
      appsBin(env, 'streamlit'), 'run', helper('streamlit-app.py'), '--server.port', '{port}', '--server.address', '127.0.0.1',
      '--server.headless', 'true', '--browser.gatherUsageStats', 'false', '--server.enableCORS', 'false', '--server.enableXsrfProtection', 'false',
    ],
  },
  { name: 'butterfly', argv: [appsBin(env, 'python'), appsBin(env, 'butterfly.server.py'), '--host=127.0.0.1', '--port={port}', '--unsecure', '--shell=/bin/sh', '--motd=/dev/null', '--uri-root-path={base_url}proxy/absolute/{port}'] },
];

const profile = (list: unknown[]) => `
    command: ["python3", "${helper('apps-runtime.py')}", "{port}", "{base_url}", "{workspace}"]
    readiness_path: ""
    start_timeout_seconds: 120
    environment:
      TEST_APPS: '${JSON.stringify(list)}'`;

const CONFIG = (env: string) => `
monitoring:
  interval_seconds: 2
culling:
  idle_timeout_seconds: 20
  every_seconds: 5
profiles:
  apps:${profile(apps(env))}
  echo:${profile([echo])}
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let hub: TestHub;
let alice: string;
let bob: string;
let cookie: string;
/** Ports of the apps of alice's default server, and of bob's. */
let ports: Record<string, number>;
let bobPorts: Record<string, number>;

const start = async (user: string, token: string, server: string, prof: string) => {
  const path = server === '' ? `/hub/api/users/${user}/server` : `/hub/api/users/${user}/servers/${server}`;
  const r = await hub.api(path, { method: 'POST', token, body: { profile: prof } });
  if (r.status !== 201 && r.status !== 202) throw new Error(`start ${user}/${server}: ${r.status} ${await r.text()}`);
};

const model = async (user: string, token: string, server: string) => {
  const u = (await (await hub.api(`/hub/api/users/${user}?include_stopped_servers`, { token })).json()) as {
    servers: Record<string, { ready: boolean; nbhub: { state: string; stop_reason: string | null; message: string | null } }>;
  };
  return u.servers[server];
};

const ready = async (user: string, token: string, server: string) => {
  for (let i = 0; i < 600; i++) {
    const m = await model(user, token, server);
    if (m?.ready) return;
    if (m?.nbhub.state === 'failed') throw new Error(`${user}/${server} failed: ${m.nbhub.message}\n${hub.output()}`);
    await sleep(200);
  }
  throw new Error(`${user}/${server} not ready\n${hub.output()}`);
};

const base = (user: string, server: string) => (server === '' ? `/user/${user}/` : `/user/${user}/${server}/`);

/** Waits until the app answers through the hub (404 from the hub while nothing of the runtime listens there yet). */
const up = async (path: string, token: string) => {
  for (let i = 0; i < 600; i++) {
    const r = await hub.api(path, { token });
    if (r.status === 200) return;
    await sleep(200);
  }
  throw new Error(`${path} never answered\n${hub.output()}`);
};

const portsOf = async (user: string, token: string, server: string) =>
  (await (await hub.api(`${base(user, server)}ports`, { token })).json()) as Record<string, number>;

const json = async (r: Response) => (await r.json()) as { status: number; message: string };

const openWs = (path: string, o: { token?: string; cookie?: string; origin?: string; protocols?: string[] }) => openWsAt(hub.port, path, o);

describe.skipIf(!ENV)(`apps inside a runtime through the proxy${ENV ? '' : ` (skipped: ${APPS_MISSING})`}`, () => {
  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG(ENV as string) });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    const login = await hub.api('/hub/login', { method: 'POST', body: { username: 'alice', password: 'alice-password' } });
    cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    // The culling pair starts with the rest, so its 30 s overlap the other tests.
    await Promise.all([start('alice', alice, '', 'apps'), start('bob', bob, '', 'echo'), start('alice', alice, 'busy', 'echo'), start('alice', alice, 'idle', 'echo')]);
    await Promise.all([ready('alice', alice, ''), ready('bob', bob, '')]);
    ports = await portsOf('alice', alice, '');
    bobPorts = await portsOf('bob', bob, '');
    await Promise.all([
      up(`/user/alice/proxy/${ports['echo']}/`, alice),
      up(`/user/alice/proxy/${ports['streamlit']}/_stcore/health`, alice),
      up(`/user/alice/proxy/absolute/${ports['butterfly']}/`, alice),
    ]);
  }, 240_000);
  afterAll(async () => {
    if (!hub) return;
    // Stopping the servers stops their apps with them (their process groups); dispose kills what is left.
    await Promise.all(
      [['alice', alice, ''], ['alice', alice, 'busy'], ['alice', alice, 'idle'], ['bob', bob, '']].map(([u, t, s]) =>
        hub.api(s === '' ? `/hub/api/users/${u}/server` : `/hub/api/users/${u}/servers/${s}`, { method: 'DELETE', token: t }),
      ),
    );
    await hub.dispose();
  }, 60_000);

  it('sends an app no hub cookie, no Authorization, no ?token=, no runtime token and no client identity headers', async () => {
    const runtimeToken = readFileSync(join(hub.dataDir, 'workspaces', 'alice', '_default', 'runtime-token'), 'utf8');
    expect(runtimeToken.length).toBeGreaterThan(10);
    const claims = { 'x-remote-user': 'root', 'remote-user': 'root', 'x-forwarded-user': 'root', 'x-auth-request-user': 'root', 'x-auth-request-email': 'root@example.org', 'x-forwarded-for': '10.9.9.9', 'x-forwarded-host': 'evil.example' };
    for (const how of ['token', 'cookie', 'query'] as const) {
      const headers: Record<string, string> = { ...claims, cookie: how === 'cookie' ? `${cookie}; app-cookie=1` : 'app-cookie=1' };
      if (how === 'token') headers['authorization'] = `token ${alice}`;
      const r = await fetch(`${hub.url}/user/alice/proxy/${ports['echo']}/look?x=1${how === 'query' ? `&token=${alice}` : ''}`, { headers });
      expect(r.status, how).toBe(200);
      // The app's try at the hub's session cookie is dropped; its own cookie passes.
      expect(r.headers.getSetCookie(), how).toEqual(['app-cookie=1; Path=/']);
      const seen = (await r.json()) as { path: string; headers: Array<[string, string]> };
      const h = new Map(seen.headers.map(([k, v]) => [k.toLowerCase(), v]));
      expect(seen.path, how).toBe('/look?x=1');
      expect(h.get('cookie'), how).toBe('app-cookie=1');
      expect(h.has('authorization'), how).toBe(false);
      for (const k of ['x-remote-user', 'remote-user', 'x-forwarded-user', 'x-auth-request-user', 'x-auth-request-email']) expect(h.has(k), `${how} ${k}`).toBe(false);
      expect(h.get('x-forwarded-for'), how).toBe('127.0.0.1');
      expect(h.get('x-forwarded-host'), how).toBe(`127.0.0.1:${hub.port}`);
      expect(h.get('x-forwarded-prefix'), how).toBe(`/user/alice/proxy/${ports['echo']}`);
      const all = JSON.stringify(seen);
      expect(all, how).not.toContain(runtimeToken);
      expect(all, how).not.toContain(alice);
      expect(all, how).not.toContain('nbhub-session');
    }
  });

  it('keeps redirects, relative and absolute, under the prefix', async () => {
    const prefix = `/user/alice/proxy/${ports['echo']}/`;
    for (const [kind, location, landed] of [['abs', `${prefix}landed`, '/landed'], ['root', `${prefix}landed`, '/landed'], ['rel', 'landed', '/redirect/landed']] as const) {
      const r = await hub.api(`${prefix}redirect/${kind}`, { token: alice });
      const manual = await fetch(`${hub.url}${prefix}redirect/${kind}`, { headers: { authorization: `token ${alice}` }, redirect: 'manual' });
      expect(manual.status, kind).toBe(302);
      expect(manual.headers.get('location'), kind).toBe(location);
      // Followed, the browser lands on the app again.
      expect(r.status, kind).toBe(200);
      expect(((await r.json()) as { path: string }).path, kind).toBe(landed);
    }
    const refresh = await hub.api(`${prefix}redirect/refresh`, { token: alice });
    expect(refresh.headers.get('refresh')).toBe(`0; url=${prefix}landed`);
    // An app that sees its whole path is brought back under it too.
    const abs = `/user/alice/proxy/absolute/${ports['echo']}/`;
    const r = await fetch(`${hub.url}${abs}redirect/root`, { headers: { authorization: `token ${alice}` }, redirect: 'manual' });
    expect(r.headers.get('location')).toBe(`${abs}landed`);
  });

  it('serves Streamlit through /proxy/{port}/ with its WebSocket, to the owner only', async () => {
    const prefix = `/user/alice/proxy/${ports['streamlit']}/`;
    const page = await hub.api(prefix, { token: alice });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Streamlit</title>');
    // Its scripts, by the relative links the page has, as the browser resolves them under the prefix.
    const script = /src="\.\/(static\/js\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await hub.api(`${prefix}${script}`, { token: alice })).status).toBe(200);
    expect(await (await hub.api(`${prefix}_stcore/health`, { token: alice })).text()).toBe('ok');
    // The browser's WebSocket: session cookie, the hub's own Origin.
    const ws = await openWs(`${prefix}_stcore/stream`, { cookie, origin: hub.url, protocols: ['streamlit'] });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();
    expect(await openWs(`${prefix}_stcore/stream`, { origin: hub.url, protocols: ['streamlit'] })).toBe(401);
    expect(await openWs(`${prefix}_stcore/stream`, { cookie, origin: 'http://evil.example', protocols: ['streamlit'] })).toBe(403);
    expect(await openWs(`${prefix}_stcore/stream`, { token: bob, protocols: ['streamlit'] })).toBe(403);
    expect((await hub.api(prefix, { token: bob })).status).toBe(403);
    const anon = await fetch(`${hub.url}${prefix}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toMatch(/^\/hub\/login\?next=/);
    expect((await hub.api(prefix)).status).toBe(401);
  });

  it('runs a command in butterfly, a terminal over WebSocket, through /proxy/absolute/{port}/', async () => {
    const prefix = `/user/alice/proxy/absolute/${ports['butterfly']}/`;
    const page = await hub.api(prefix, { token: alice });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Butterfly</title>');
    // Its absolute links name the prefix, and answer through it.
    const script = new RegExp(`src="(${prefix}static/main\\.min\\.js[^"]*)"`).exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await hub.api(script as string, { token: alice })).status).toBe(200);
    await butterflyEcho(hub.port, prefix, { cookie, origin: hub.url });
    const session = `t${Date.now()}`;
    expect(await openWs(`${prefix}ws/session/${session}`, {})).toBe(401);
    expect(await openWs(`${prefix}ws/session/${session}`, { cookie, origin: 'http://evil.example' })).toBe(403);
    expect(await openWs(`${prefix}ws/session/${session}`, { token: bob })).toBe(403);
  });

  it('reaches no other host, not the hub itself and no port of another runtime', async () => {
    for (const bad of ['evil.example', '127.0.0.1:22', `${ports['echo']}@evil.example`, '0', '65536']) {
      const r = await hub.api(`/user/alice/proxy/${bad}/`, { token: alice });
      expect(r.status, bad).toBe(400);
      expect((await json(r)).message, bad).toMatch(/^Invalid port/);
    }
    const hubPort = await hub.api(`/user/alice/proxy/${hub.port}/hub/api/`, { token: alice });
    expect(hubPort.status).toBe(404);
    expect((await json(hubPort)).message).toBe(`Nothing in alice's server listens on port ${hub.port}`);
    // bob's app and bob's runtime are bob's, even to alice's own server's path.
    expect((await hub.api(`/user/alice/proxy/${bobPorts['echo']}/`, { token: alice })).status).toBe(404);
    expect((await hub.api(`/user/alice/proxy/absolute/${bobPorts['echo']}/`, { token: alice })).status).toBe(404);
    // bob reaches his own.
    expect((await hub.api(`/user/bob/proxy/${bobPorts['echo']}/`, { token: bob })).status).toBe(200);
    // alice's app is not bob's, through his own path either.
    expect((await hub.api(`/user/bob/proxy/${ports['echo']}/`, { token: bob })).status).toBe(404);
  });

  it('keeps a server whose app is used for 30 s, and culls the same server left alone', async () => {
    await Promise.all([ready('alice', alice, 'busy'), ready('alice', alice, 'idle')]);
    const busy = await portsOf('alice', alice, 'busy');
    await up(`/user/alice/busy/proxy/${busy['echo']}/`, alice);
    const started = Date.now();
    while (Date.now() - started < 32_000) {
      expect((await hub.api(`/user/alice/busy/proxy/${busy['echo']}/`, { token: alice })).status).toBe(200);
      await sleep(3_000);
    }
    expect((await model('alice', alice, 'busy'))?.nbhub.state).toBe('running');
    // Left alone since it started: culled once its 20 s are up (judged every 5 s, plus the stop's grace).
    for (let i = 0; i < 60; i++) {
      const m = await model('alice', alice, 'idle');
      if (m?.nbhub.state === 'stopped') break;
      await sleep(1_000);
    }
    const idle = await model('alice', alice, 'idle');
    expect(idle?.nbhub.state).toBe('stopped');
    expect(idle?.nbhub.stop_reason).toBe('idle');
    expect((await model('alice', alice, 'busy'))?.nbhub.state).toBe('running');
  }, 150_000);
});
