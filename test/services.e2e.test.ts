import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { freePort } from '../src/spawners/local/ports.js';
import { killAndWait, NBHUB_BIN, startTestHub, type TestHub } from './helpers/hub.js';
import { followLogLines } from './helpers/log-follow.js';

const SERVICE_PY = fileURLToPath(new URL('./helpers/service.py', import.meta.url));
const MGR_TOKEN = 'mgr-token-0123456789abcdef';
const ROBOT_TOKEN = 'robot-token-0123456789abcdef';

interface Seen {
  pid: number;
  path: string;
  headers: Record<string, string>;
  env: Record<string, string>;
  has_token: boolean;
  nbhub_vars: string[];
  extra: string | null;
}

/** A live process (a zombie waiting for its reaper is gone). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/s.test(stat);
  } catch {
    return false;
  }
};

const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('services at /services/{name}/', () => {
  let hub: TestHub;
  let external: ChildProcess;
  /** An external service that speaks WebSocket: it sends back the path and headers of the upgrade it got. */
  let wsService: Server;
  let alice: string;
  let admin: string;
  let cookie: string;
  const pids = new Set<number>();

  /** A service's kept output, as an admin reads it. */
  const serviceLogs = async (name: string, query = '') => {
    const r = await hub.api(`/hub/api/services/${name}/logs?${query}`, { token: admin });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as { starts: Array<{ id: string; streams: string[] }>; start: string | null; stream: string; lines: string[] };
  };

  /** The managed service's answer once it serves, through the hub, with a token. */
  const mgr = (path = '') =>
    until(`the managed service at /services/mgr/${path}`, async () => {
      const r = await hub.api(`/services/mgr/${path}`, { token: alice });
      if (r.status !== 200) return undefined;
      const seen = (await r.json()) as Seen;
      pids.add(seen.pid);
      return seen;
    });

  beforeAll(async () => {
    const extPort = await freePort();
    external = spawn('python3', [SERVICE_PY, '--external', String(extPort), '/services/ext/'], { stdio: 'ignore' });
    wsService = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ server: wsService });
    wss.on('connection', (ws, req) => {
      ws.send(JSON.stringify({ path: req.url, headers: req.headers }));
      ws.on('message', (m: Buffer) => ws.send(`echo ${m.toString()}`));
    });
    const wsPort = await freePort();
    await new Promise<void>((r) => wsService.listen(wsPort, '127.0.0.1', r));
    const config = [
      'services:',
      '  - name: mgr',
      `    command: [python3, ${JSON.stringify(SERVICE_PY)}]`,
      `    api_token: ${MGR_TOKEN}`,
      '    environment: { SERVICE_EXTRA: from-config }',
      '    info: { team: data }',
      '  - name: ext',
      `    url: http://127.0.0.1:${extPort}`,
      '  - name: sock',
      `    url: http://127.0.0.1:${wsPort}`,
      '  - name: gone',
      `    url: http://127.0.0.1:${await freePort()}`,
      '  - name: robot',
      `    api_token: ${ROBOT_TOKEN}`,
      '    admin: true',
      '  - name: broken',
      '    command: [/nonexistent/nbhub-test-service]',
      'lifecycle: { stop_grace_seconds: 2 }',
      '',
    ].join('\n');
    // A hub setting in the hub's environment, which no service may see.
    hub = await startTestHub({ config, env: { NBHUB_CULLING_ENABLED: 'true' } });
    alice = hub.addUser('alice');
    admin = hub.addUser('root', { admin: true });
    const login = await hub.api('/hub/login', { method: 'POST', body: { username: 'alice', password: 'alice-password' } });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 60_000);

  afterAll(async () => {
    if (external) await killAndWait(external, 'SIGKILL');
    wsService?.closeAllConnections();
    wsService?.close();
    await hub?.dispose();
    // Managed services are process groups of their own: make sure none outlives the test.
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('runs a managed service with JupyterHub’s environment, reachable with a token or a session cookie, prefix kept', async () => {
    const seen = await mgr('page?token=' + alice);
    expect(seen.path).toBe('/services/mgr/page');
    expect(seen.env).toMatchObject({
      JUPYTERHUB_SERVICE_NAME: 'mgr',
      JUPYTERHUB_SERVICE_PREFIX: '/services/mgr/',
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_API_URL: `${hub.url}/hub/api`,
    });
    expect(seen.env['JUPYTERHUB_SERVICE_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.has_token).toBe(true);
    expect(seen.extra).toBe('from-config');
    expect(seen.nbhub_vars).toEqual([]);
    expect(seen.headers['authorization']).toBeUndefined();

    const byCookie = await hub.api('/services/mgr/x', { headers: { cookie: `${cookie}; own=1` } });
    expect(byCookie.status).toBe(200);
    const headers = ((await byCookie.json()) as Seen).headers;
    expect(headers['cookie']).toBe('own=1');
    // Redirects pass unchanged (the service sends browsers to the hub's login on purpose); the hub's cookies never come from it.
    const redirect = await fetch(`${hub.url}/services/mgr/redirect`, { headers: { authorization: `token ${alice}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/hub/login?next=/services/mgr/');
    expect(redirect.headers.getSetCookie()).toEqual(['svc=1; Path=/services/mgr/']);
  });

  it("keeps a managed service's output for admins: a range, or followed as it prints; refused to others", async () => {
    await mgr();
    const page = await serviceLogs('mgr');
    expect(page.stream).toBe('service');
    expect(page.starts.at(-1)?.streams).toEqual(['service']);
    expect(page.lines.join('\n')).toContain('service listening on 127.0.0.1');
    // Its output may hold anything: not for users, whose own token or session the route refuses.
    const refused = await hub.api('/hub/api/services/mgr/logs', { token: alice });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('service listening');
    expect((await hub.api('/hub/api/services/mgr/logs', { headers: { cookie } })).status).toBe(403);
    expect((await hub.api('/hub/api/services/mgr/logs')).status).toBe(403);
    expect((await hub.api('/hub/api/services/ext/logs', { token: admin })).status).toBe(404);

    const ac = new AbortController();
    const res = await fetch(`${hub.url}/hub/api/services/mgr/logs?follow=1&tail=0`, { headers: { authorization: `token ${admin}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: string[] = [];
    const done = followLogLines(res, (line) => seen.push(line));
    const said = `hello-${Date.now()}`;
    await until('the printed line in the follow', async () => {
      await hub.api(`/services/mgr/print/${said}`, { token: alice });
      return seen.includes(`service says ${said}`) ? true : undefined;
    });
    ac.abort();
    await done;
    // It is the start's log on disk, in the log layout (kept, rotated and shipped like a runtime's).
    expect(existsSync(join(hub.dataDir, 'services', 'mgr', 'output.log'))).toBe(false);
  });

  it('refuses a request without login: 401 JSON for clients, the login page for browsers, and the WebSocket upgrade', async () => {
    const api = await hub.api('/services/mgr/');
    expect(api.status).toBe(401);
    expect(((await api.json()) as { message: string }).message).toMatch(/Authentication required/);
    const browser = await fetch(`${hub.url}/services/mgr/page`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/hub/login?next=%2Fservices%2Fmgr%2Fpage');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/services/mgr/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => resolve(-1));
    });
    expect(status).toBe(401);
    // Unknown services, and one without a web server, are 404 to a logged-in user.
    expect((await hub.api('/services/nope/', { token: alice })).status).toBe(404);
    expect((await hub.api('/services/robot/', { token: alice })).status).toBe(404);
    // A managed service that cannot start is named in a 503; its log says why, to an admin.
    const broken = await hub.api('/services/broken/', { token: alice });
    expect(broken.status).toBe(503);
    expect(((await broken.json()) as { message: string }).message).toMatch(/Service broken is not running/);
    expect((await serviceLogs('broken')).lines.join('\n')).toMatch(/nbhub: cannot run \/nonexistent\/nbhub-test-service/);
    // An external service that does not answer is down: 503, named.
    const gone = await hub.api('/services/gone/', { token: alice });
    expect(gone.status).toBe(503);
    expect(((await gone.json()) as { message: string }).message).toMatch(/Service gone did not answer/);
  });

  it('proxies an external service, prefix kept, without the hub’s credentials', async () => {
    const r = await hub.api('/services/ext/hello?q=1', { token: alice });
    expect(r.status).toBe(200);
    const seen = (await r.json()) as Seen;
    expect(seen.path).toBe('/services/ext/hello?q=1');
    expect(seen.headers['authorization']).toBeUndefined();
  });

  it('carries WebSockets to a service, without the hub’s credentials; a cross-site one on the cookie is refused', async () => {
    const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/services/sock/socket?token=${alice}&x=1`, { headers: { cookie: `${cookie}; own=1` } });
    const messages: string[] = [];
    const two = new Promise<void>((resolve, reject) => {
      ws.on('message', (m: Buffer) => {
        messages.push(m.toString());
        if (messages.length === 1) ws.send('ping');
        if (messages.length === 2) resolve();
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.on('error', reject);
    });
    await two;
    ws.close();
    const first = JSON.parse(messages[0] as string) as { path: string; headers: Record<string, string> };
    expect(first.path).toBe('/services/sock/socket?x=1');
    expect(first.headers['cookie']).toBe('own=1');
    expect(first.headers['authorization']).toBeUndefined();
    expect(messages[1]).toBe('echo ping');
    const crossSite = await new Promise<number>((resolve) => {
      const bad = new WebSocket(`${hub.url.replace('http', 'ws')}/services/sock/socket`, { headers: { cookie, origin: 'https://elsewhere.example' } });
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('open', () => resolve(101));
      bad.on('error', () => resolve(-1));
    });
    expect(crossSite).toBe(403);
  });

  it('lists the services with JupyterHub’s model; command and pid for admins only', async () => {
    const { pid } = await mgr();
    const asUser = (await (await hub.api('/hub/api/services', { token: alice })).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(asUser).sort()).toEqual(['broken', 'ext', 'gone', 'mgr', 'robot', 'sock']);
    expect(asUser['mgr']).toMatchObject({ kind: 'service', name: 'mgr', admin: false, prefix: '/services/mgr/', info: { team: 'data' }, display: true });
    expect(asUser['mgr']).not.toHaveProperty('command');
    expect(asUser['mgr']).not.toHaveProperty('pid');
    expect(asUser['robot']).toMatchObject({ admin: true, roles: ['admin'], url: '', prefix: '' });
    const asAdmin = (await (await hub.api('/hub/api/services/mgr', { token: admin })).json()) as Record<string, unknown>;
    expect(asAdmin).toMatchObject({ name: 'mgr', pid, command: ['python3', SERVICE_PY] });
    expect((await hub.api('/hub/api/services/nope', { token: alice })).status).toBe(404);
    expect((await hub.api('/hub/api/services')).status).toBe(403);
    const doc = (await (await hub.api('/hub/api/openapi.json')).json()) as { paths: Record<string, { get?: { responses?: Record<string, unknown> } }> };
    expect(doc.paths['/hub/api/services']?.get?.responses).toHaveProperty(['200']);
    expect(doc.paths['/hub/api/services/{name}']?.get?.responses).toHaveProperty(['200']);
    expect(doc.paths).toHaveProperty(['/services/{name}/{path}']);
  });

  it("authenticates a service's token as the service: kind service, admin rights only where configured", async () => {
    const me = (await (await hub.api('/hub/api/user', { token: MGR_TOKEN })).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ kind: 'service', name: 'mgr', admin: false });
    // The service's own token, from its environment, works on the API too.
    expect(await mgr('whoami')).toMatchObject({ kind: 'service', name: 'mgr' });
    expect((await hub.api('/hub/api/users', { token: MGR_TOKEN })).status).toBe(403);
    expect((await hub.api('/hub/api/users/alice', { token: MGR_TOKEN })).status).toBe(404);
    expect((await hub.api('/hub/api/services', { token: MGR_TOKEN })).status).toBe(200);
    expect((await hub.api('/hub/api/users', { token: ROBOT_TOKEN })).status).toBe(200);
    expect((await hub.api('/hub/api/user', { token: ROBOT_TOKEN }).then((r) => r.json())) as Record<string, unknown>).toMatchObject({ kind: 'service', name: 'robot', admin: true });
    expect(hub.output()).not.toContain(MGR_TOKEN);
  });

  it('restarts a managed service that dies', async () => {
    const before = (await mgr()).pid;
    process.kill(before, 'SIGKILL');
    const after = await until('a new service process', async () => {
      const seen = await mgr();
      return seen.pid !== before ? seen : undefined;
    });
    expect(after.pid).not.toBe(before);
    expect(alive(before)).toBe(false);
    // Each start of the process keeps its own output: the one killed is still there beside the new one.
    const page = await until('the new start in the service log', async () => {
      const p = await serviceLogs('mgr');
      return p.starts.length >= 2 && p.lines.join('\n').includes('service listening') ? p : undefined;
    });
    const previous = page.starts.at(-2)?.id as string;
    expect((await serviceLogs('mgr', `start=${previous}`)).lines.join('\n')).toContain('service listening on 127.0.0.1');
    expect(page.start).not.toBe(previous);
  });

  it('leaves no second copy when the hub is killed and started again, and none after the hub stops', async () => {
    const before = (await mgr()).pid;
    await hub.kill('SIGKILL');
    // Its own process group: it outlived the hub.
    expect(alive(before)).toBe(true);
    await hub.restart();
    const after = await until('the service after the restart', async () => {
      const seen = await mgr();
      return seen.pid !== before ? seen : undefined;
    });
    expect(alive(before)).toBe(false);
    // The service's earlier starts are still readable after the hub was killed.
    expect((await serviceLogs('mgr')).starts.length).toBeGreaterThanOrEqual(3);
    await hub.kill('SIGTERM');
    expect(alive(after.pid)).toBe(false);
    expect(existsSync(join(hub.dataDir, 'services', 'mgr', 'process.json'))).toBe(false);
  }, 60_000);
});

describe('bad services config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-services-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = (services: string): { status: number | null; stderr: string } => {
    const file = join(dir, 'nbhub.yaml');
    writeFileSync(file, `services:\n${services}`);
    const r = spawnSync(process.execPath, [NBHUB_BIN, 'start', '--config', file, '--port', '0', '--data-dir', join(dir, 'data')], { encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stderr: r.stderr };
  };

  it('stops the hub with a message naming the key', () => {
    const dup = start('  - { name: a, url: "http://127.0.0.1:1" }\n  - { name: a, url: "http://127.0.0.1:2" }\n');
    expect(dup.status).not.toBe(0);
    expect(dup.stderr).toMatch(/services\.1\.name: duplicate service name a/);
    const both = start('  - { name: a, url: "http://192.0.2.1:1", command: [python3] }\n');
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/services\.0\.url: .*loopback/);
    const bad = start('  - { name: "Not/A name", url: "http://127.0.0.1:1" }\n');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/services\.0\.name: service names/);
  });
});
