import { builtinIdentity } from '../core/roles.js';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayUseCluster, type ClusterDirectory, type ClusterRecord } from '../core/clusters.js';
import type { Credentials, Identity } from '../core/identity.js';
import { createClusterProxy } from './clusters.js';

/** The cluster proxy in front of a fake master UI answering as Spark's does (absolute and root-relative redirects). */
const lines: Array<Record<string, unknown>> = [];
const log = { debug: () => {}, info: (o: object) => lines.push(o as Record<string, unknown>), warn: () => {}, error: () => {} };
const servers: Server[] = [];
const listen = async (s: Server): Promise<number> => {
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  servers.push(s);
  return (s.address() as AddressInfo).port;
};

let hub = 0;
let ui = 0;
let rest = 0;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }> = [];
const restSeen: string[] = [];
const people: Record<string, Identity> = {
  'token alice': builtinIdentity('alice', false, 'token'),
  'token bob': builtinIdentity('bob', false, 'token'),
  'token carol': builtinIdentity('carol', false, 'token'),
  'token root': builtinIdentity('root', true, 'token'),
};
const records = new Map<string, ClusterRecord>();
const record = (name: string, o: Partial<ClusterRecord>): ClusterRecord => ({
  name,
  kind: 'spark',
  owner: 'alice',
  users: ['bob'],
  workers: 2,
  workerCores: 1,
  workerMemoryMb: 1024,
  desired: 'running',
  state: 'running',
  handle: null,
  endpoints: { master: 'spark://127.0.0.1:1', rest: `http://127.0.0.1:${rest}`, ui: `http://127.0.0.1:${ui}` },
  failure: null,
  created: 0,
  started: 0,
  stopped: null,
  ...o,
});

beforeAll(async () => {
  const uiServer = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      if (req.url === '/json') res.writeHead(301, { location: '/json/' }).end();
      else if (req.url === '/app/kill/') res.writeHead(302, { location: `http://${req.headers.host}/` }).end();
      else if (req.url === '/proxy/app-1') res.writeHead(302, { location: `http://${req.headers.host}/proxy/app-1/jobs/` }).end();
      else res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['nbhub-session=forged', 'spark=1'] }).end(`ui saw ${req.method} ${req.url}`);
  });
  uiServer.on('upgrade', (req, socket) => {
    seen.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  ui = await listen(uiServer);
  rest = await listen(createServer((req, res) => (restSeen.push(req.url ?? ''), res.end('rest'))));
  records.set('demo', record('demo', {}));
  records.set('idle', record('idle', { state: 'stopped', endpoints: null }));
  records.set('broken', record('broken', { state: 'failed', endpoints: null, failure: 'its worker-2 ended' }));
  const clusters: ClusterDirectory = { get: (n) => records.get(n), list: () => [...records.values()], mayUse: mayUseCluster };
  const whoIs = (c: Credentials): Identity | null => {
    if (c.authorization) return people[c.authorization] ?? null;
    if (c.queryToken) return people[`token ${c.queryToken}`] ?? null;
    const session = /nbhub-session=(\w+)/.exec(c.cookie ?? '')?.[1];
    return session ? builtinIdentity(session, false, 'cookie') : null;
  };
  const proxy = createClusterProxy({
    clusters,
    // Upgrades always ask `identify` (fresh), requests `peek` first: both answer the same here.
    identity: { peek: whoIs, identify: async (c) => whoIs(c) },
    log,
  });
  const front = createServer((req, res) => {
    if (!proxy.handleRequest(req, res)) res.writeHead(418).end();
  });
  front.on('upgrade', (req, socket, head) => {
    if (!proxy.handleUpgrade(req, socket, head)) socket.destroy();
  });
  hub = await listen(front);
  servers.push({ close: () => proxy.close() } as never);
});
afterAll(() => servers.forEach((s) => s.close()));

const get = (path: string, who: string | null = 'alice', o: { method?: string; headers?: Record<string, string> } = {}) =>
  fetch(`http://127.0.0.1:${hub}${path}`, { method: o.method ?? 'GET', headers: { ...(who ? { authorization: `token ${who}` } : {}), ...o.headers }, redirect: 'manual' });
const message = async (r: Response) => ((await r.json()) as { message: string }).message;

describe('the cluster proxy', () => {
  it("reaches the master's UI with the prefix stripped and without the hub's credentials", async () => {
    const r = await get('/clusters/demo/proxy/worker-1/?x=1&token=alice', null, { headers: { cookie: 'nbhub-session=s; spark=1', 'x-remote-user': 'root' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('ui saw GET /proxy/worker-1/?x=1');
    expect(r.headers.getSetCookie()).toEqual(['spark=1']);
    const last = seen[seen.length - 1];
    expect(last?.headers.authorization).toBeUndefined();
    expect(last?.headers.cookie).toBe('spark=1');
    expect(last?.headers['x-remote-user']).toBeUndefined();
    expect(last?.headers['x-forwarded-prefix']).toBe('/clusters/demo');
  });
  it("keeps Spark's redirects under the prefix: root-relative, absolute to the hub's host, and the kill's", async () => {
    expect((await get('/clusters/demo/json')).headers.get('location')).toBe('/clusters/demo/json/');
    expect((await get('/clusters/demo/proxy/app-1')).headers.get('location')).toBe('/clusters/demo/proxy/app-1/jobs/');
    const kill = await get('/clusters/demo/app/kill/', 'alice', { method: 'POST' });
    expect(kill.status).toBe(302);
    expect(kill.headers.get('location')).toBe('/clusters/demo/');
  });
  it('sends /clusters/{name} to its slash, without the token (issue 16: no token in a Location the hub writes)', async () => {
    const r = await get('/clusters/demo?token=alice', null);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/clusters/demo/');
  });
  it("lets in the owner, the cluster's users and admins; refuses others (403), no login (401, browsers to the login page)", async () => {
    for (const who of ['alice', 'bob', 'root']) expect((await get('/clusters/demo/', who)).status).toBe(200);
    const carol = await get('/clusters/demo/', 'carol');
    expect(carol.status).toBe(403);
    expect(await message(carol)).toContain('Cluster demo is not shared with carol');
    expect((await get('/clusters/demo/', null)).status).toBe(401);
    const browser = await get('/clusters/demo/jobs/', null, { headers: { accept: 'text/html' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent('/clusters/demo/jobs/')}`);
  });
  it('answers 404 for an unknown cluster, 503 with the state (and failure) for one not running', async () => {
    const nope = await get('/clusters/nope/');
    expect(nope.status).toBe(404);
    expect(await message(nope)).toBe('No such cluster: nope');
    const idle = await get('/clusters/idle/');
    expect(idle.status).toBe(503);
    expect(await message(idle)).toBe('Cluster idle is not running (stopped)');
    const broken = await get('/clusters/broken/', 'alice', { headers: { accept: 'text/html' } });
    expect(broken.status).toBe(503);
    expect(await broken.text()).toContain('Cluster broken is not running (failed): its worker-2 ended');
  });
  it('refuses encoded and dotted paths with a 400, and never reaches the REST port', async () => {
    const before = seen.length;
    // Sent as written (fetch would resolve the dots itself).
    const raw = (path: string) =>
      new Promise<number>((ok, fail) =>
        request({ host: '127.0.0.1', port: hub, path, headers: { authorization: 'token alice' } }, (res) => (res.resume(), ok(res.statusCode ?? 0)))
          .on('error', fail)
          .end(),
      );
    for (const p of ['/clusters/demo/proxy/%2e%2e/x', '/clusters/demo/a%2Fb', '/clusters/demo/../x']) expect(await raw(p), p).toBe(400);
    expect(seen.length).toBe(before);
    expect(restSeen).toEqual([]);
  });
  it("refuses a cross-origin cookie write (a kill form on another site); passes the hub's own", async () => {
    const kills = () => seen.filter((s) => s.url === '/app/kill/').length;
    const before = kills();
    const foreign = await get('/clusters/demo/app/kill/', null, { method: 'POST', headers: { cookie: 'nbhub-session=alice', origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(kills()).toBe(before);
    const own = await get('/clusters/demo/app/kill/', null, { method: 'POST', headers: { cookie: 'nbhub-session=alice', origin: `http://127.0.0.1:${hub}` } });
    expect(own.status).toBe(302);
    expect(kills()).toBe(before + 1);
  });
  it('passes WebSocket upgrades to its users without their credentials, with the same refusals for others', async () => {
    const upgrade = (path: string, who: string) =>
      new Promise<string>((ok) => {
        let got = '';
        const c = connect(hub, '127.0.0.1', () => c.write(`GET ${path} HTTP/1.1\r\nHost: hub\r\nAuthorization: token ${who}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
        c.on('data', (d) => (got += d.toString()));
        c.on('close', () => ok(got));
        setTimeout(() => c.destroy(), 500);
      });
    expect(await upgrade('/clusters/demo/ws?token=x', 'alice')).toMatch(/^HTTP\/1.1 101 /);
    const up = seen[seen.length - 1];
    expect(up).toMatchObject({ method: 'UPGRADE', url: '/ws' });
    expect(up?.headers.authorization).toBeUndefined();
    expect(await upgrade('/clusters/demo/ws', 'carol')).toMatch(/^HTTP\/1.1 403 /);
    expect(await upgrade('/clusters/idle/ws', 'alice')).toMatch(/^HTTP\/1.1 503 /);
  });
  it('logs each request with who and what, never the token', () => {
    const all = JSON.stringify(lines);
    expect(all).toContain('"cluster":"demo"');
    expect(all).toContain('"user":"bob"');
    // Refusals too, with who was refused.
    expect(lines).toContainEqual(expect.objectContaining({ cluster: 'demo', user: 'carol', status: 403 }));
    expect(all).not.toContain('token=alice');
  });
});
