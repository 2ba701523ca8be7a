import { builtinIdentity } from '../core/roles.js';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDirectory, AppUpstream } from '../core/apps.js';
import { notFound } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import { createProxy } from './proxy.js';
import { frame } from './testing.js';

/** The proxy in front of one fake runtime of alice's, whose processes listen on `appPort`, and a named app. */
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent } as never;
const servers: Server[] = [];
const listen = async (s: Server): Promise<number> => {
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  servers.push(s);
  return (s.address() as AddressInfo).port;
};

let hub = 0;
let appPort = 0;
let strangerPort = 0;
let runtimePort = 0;
const touched: string[] = [];
const ensured: string[] = [];
const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];

const people: Record<string, Identity> = {
  'token alice': builtinIdentity('alice', false, 'token'),
  'token bob': builtinIdentity('bob', false, 'token'),
  'token root': builtinIdentity('root', true, 'token'),
  'token carol': builtinIdentity('carol', false, 'token'),
};

beforeAll(async () => {
  const app = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/go') res.writeHead(302, { location: `http://127.0.0.1:${appPort}/landed` }).end();
    else res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['nbhub-session=forged', 'app=1'] }).end(`app saw ${req.url}`);
  });
  app.on('upgrade', (_req, socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  appPort = await listen(app);
  strangerPort = await listen(createServer((_req, res) => res.end('not alice')));
  runtimePort = await listen(createServer((req, res) => res.end(`runtime saw ${req.url}`)));
  const apps: AppDirectory = {
    list: async () => [],
    ensure: async (user, server, name, o): Promise<AppUpstream> => {
      ensured.push(`${user}/${server}/${name} ${o.intent}`);
      if (name !== 'board') throw notFound(`No app ${name} in the profile of ${user}'s server`);
      return { target: `http://127.0.0.1:${appPort}`, stripPrefix: false };
    },
    stop: async () => {},
  };
  const proxy = createProxy({
    // carol has a named server called `proxy`: it wins over her default server's proxy/ paths, as every named server does.
    routes: {
      resolve: (user, first) =>
        user === 'alice' || user === 'carol'
          ? { user, server: user === 'carol' && first === 'proxy' ? 'proxy' : '', state: 'running', target: `http://127.0.0.1:${runtimePort}`, token: 'runtime-secret' }
          : undefined,
    },
    // Upgrades always ask `identify` (fresh), requests `peek` first: both answer the same here.
    identity: { peek: (c) => (c.authorization ? (people[c.authorization] ?? null) : null), identify: async (c) => (c.authorization ? (people[c.authorization] ?? null) : null) },
    activity: { touch: (user, server) => touched.push(`${user}/${server}`) },
    ports: { portTarget: async (user, _server, port) => (user === 'alice' && port === appPort ? `http://127.0.0.1:${port}` : null) },
    apps,
    clock: { now: () => 0 },
    log: silent,
  });
  const front = createServer((req, res) => {
    if (!proxy.handleRequest(req, res)) res.writeHead(404).end();
  });
  front.on('upgrade', (req, socket, head) => {
    if (!proxy.handleUpgrade(req, socket, head)) socket.destroy();
  });
  hub = await listen(front);
  servers.push({ close: () => proxy.close() } as never);
});
afterAll(() => servers.forEach((s) => s.close()));

const get = (path: string, who = 'alice', headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${hub}${path}`, { headers: { authorization: `token ${who}`, ...headers }, redirect: 'manual' });

/** A page opened in a browser (fetch sets its own Sec-Fetch-Mode, cors): resolves with the status. */
const navigate = (path: string, who: string): Promise<number> =>
  new Promise((ok, fail) => {
    const headers = { authorization: `token ${who}`, accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    request({ host: '127.0.0.1', port: hub, path, headers }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    })
      .on('error', fail)
      .end();
  });

/** Asks for an upgrade; once answered, sends `then` (frames) and closes after a moment. Resolves with the answer. */
const upgrade = (path: string, who: string, then: Buffer[] = []): Promise<string> =>
  new Promise((ok) => {
    let got = '';
    const c = connect(hub, '127.0.0.1', () => c.write(`GET ${path} HTTP/1.1\r\nHost: hub\r\nAuthorization: token ${who}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
    c.on('data', (d) => {
      const first = !got.includes('\r\n\r\n');
      got += d.toString();
      if (first && got.includes('\r\n\r\n')) {
        for (const f of then) c.write(f);
        setTimeout(() => c.destroy(), 100);
      }
    });
    c.on('close', () => ok(got));
  });

describe('the proxy to apps inside a runtime', () => {
  it("reaches a port the runtime listens on, stripped, without the hub's credentials", async () => {
    const r = await get(`/user/alice/proxy/${appPort}/page?token=alice&x=1`, 'alice', { cookie: 'nbhub-session=s; app=1', 'x-remote-user': 'root' });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('app saw /page?x=1');
    expect(r.headers.getSetCookie()).toEqual(['app=1']);
    const last = seen[seen.length - 1];
    expect(last?.headers.authorization).toBeUndefined();
    expect(last?.headers.cookie).toBe('app=1');
    expect(last?.headers['x-remote-user']).toBeUndefined();
    expect(JSON.stringify(last?.headers)).not.toContain('runtime-secret');
    expect(touched).toContain('alice/');
  });
  it('keeps the prefix on /proxy/absolute/ and redirects under the prefix', async () => {
    expect(await (await get(`/user/alice/proxy/absolute/${appPort}/a`)).text()).toBe(`app saw /user/alice/proxy/absolute/${appPort}/a`);
    const r = await get(`/user/alice/proxy/${appPort}/go`);
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe(`/user/alice/proxy/${appPort}/landed`);
  });
  it('refuses other hosts and ports the runtime does not listen on, without connecting', async () => {
    const before = seen.length;
    const bad = await get('/user/alice/proxy/evil.example/');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('Invalid port "evil.example"');
    const stranger = await get(`/user/alice/proxy/${strangerPort}/`);
    expect(stranger.status).toBe(404);
    expect(((await stranger.json()) as { message: string }).message).toBe(`Nothing in alice's server listens on port ${strangerPort}`);
    expect(seen.length).toBe(before);
  });
  it('lets in the owner and admins only, on HTTP and on the WebSocket upgrade', async () => {
    expect((await get(`/user/alice/proxy/${appPort}/`, 'bob')).status).toBe(403);
    expect((await get(`/user/alice/proxy/${appPort}/`, 'nobody')).status).toBe(401);
    expect((await get(`/user/alice/proxy/${appPort}/`, 'root')).status).toBe(200);
    expect(await upgrade(`/user/alice/proxy/${appPort}/ws`, 'bob')).toMatch(/^HTTP\/1.1 403 /);
    expect(await upgrade(`/user/alice/proxy/${appPort}/ws`, 'nobody')).toMatch(/^HTTP\/1.1 401 /);
    expect(await upgrade(`/user/alice/proxy/${appPort}/ws`, 'alice')).toMatch(/^HTTP\/1.1 101 /);
  });
  it('counts each message the browser sends an app over a WebSocket as activity', async () => {
    touched.length = 0;
    expect(await upgrade(`/user/alice/proxy/${appPort}/ws`, 'alice', [frame('one', { mask: true }), frame('two', { mask: true }), frame('', { opcode: 9, mask: true })])).toMatch(/^HTTP\/1.1 101 /);
    // The upgrade itself, then two messages; the ping is not a person's.
    expect(touched).toEqual(['alice/', 'alice/', 'alice/']);
  });
  it('leaves proxy/ paths to a named server called proxy', async () => {
    expect(await (await get('/user/carol/proxy/8050/x', 'carol')).text()).toBe('runtime saw /user/carol/proxy/8050/x');
  });
  it('reaches a named app through the AppDirectory, and says when there is none', async () => {
    expect(await (await get('/user/alice/apps/board/x')).text()).toBe('app saw /user/alice/apps/board/x');
    const none = await get('/user/alice/apps/nope/');
    expect(none.status).toBe(404);
    expect(((await none.json()) as { message: string }).message).toBe("No app nope in the profile of alice's server");
    // A page opened in the browser may start a stopped app; a page's own fetches and WebSockets only may not.
    expect(await navigate('/user/alice/apps/board/', 'alice')).toBe(200);
    expect(await upgrade('/user/alice/apps/board/ws', 'alice')).toMatch(/^HTTP\/1.1 101/);
    expect(ensured).toEqual(['alice//board background', 'alice//nope background', 'alice//board visit', 'alice//board background']);
  });
});
