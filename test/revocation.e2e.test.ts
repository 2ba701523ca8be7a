/**
 * Revocation takes effect at once (issue 16): logout, token revocation, a password change and deleting the user each
 * refuse the credential's next request everywhere and close the kernel WebSockets it opened through the hub (real
 * JupyterLab). The proxies' periodic recheck of open sockets is set to an hour here, so a socket that closes was
 * closed by the revocation itself, not by the bound that covers revocations made by another hub instance.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { freePort } from '../src/spawners/local/ports.js';
import { startDefaultServer, startTestHub, type TestHub } from './helpers/hub.js';

const config = (servicePort: number) =>
  `auth:\n  websocket_recheck_seconds: 3600\nmonitoring:\n  interval_seconds: 1800\nculling:\n  enabled: false\n  idle_timeout_seconds: 0\nservices:\n  - name: sock\n    url: http://127.0.0.1:${servicePort}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Session {
  cookie: string;
  xsrf: string;
}

interface OpenSocket {
  ws: WebSocket;
  closed: Promise<number>;
}

let hub: TestHub;
let admin: string;
let token: string;
let kernelPath: string;
/** A WebSocket service (external, config `services`): its sockets do not end when alice's server stops. */
let service: Server;

const login = async (password = 'alice-password'): Promise<Session> => {
  const r = await hub.api('/hub/login', { method: 'POST', body: { username: 'alice', password } });
  expect(r.status, await r.clone().text()).toBe(200);
  const pairs = r.headers.getSetCookie().map((c) => c.split(';')[0] as string);
  const xsrf = pairs.find((p) => p.includes('xsrf='))?.split('=')[1];
  if (!xsrf) throw new Error(`no XSRF cookie in ${pairs.join(', ')}`);
  return { cookie: pairs.join('; '), xsrf };
};

const cookieHeaders = (s: Session) => ({ cookie: s.cookie, origin: hub.url });
const tokenHeaders = (t: string) => ({ authorization: `token ${t}` });

/** An upgrade to the kernel's channels through the hub: the socket once open, or the status it was refused with. */
const upgrade = (headers: Record<string, string>, path?: string): Promise<OpenSocket | number> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}${path ?? `${kernelPath}/channels?session_id=${randomUUID()}`}`, { headers });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });

const openSocket = async (headers: Record<string, string>, path?: string): Promise<OpenSocket> => {
  const s = await upgrade(headers, path);
  if (typeof s === 'number') throw new Error(`WebSocket refused: ${s}\n${hub.output()}`);
  return s;
};

/** Whether the socket was closed by the hub within a few seconds (at once, in practice; the recheck is an hour). */
const closedSoon = async (s: OpenSocket): Promise<boolean> => Promise.race([s.closed.then(() => true), sleep(3_000).then(() => false)]);
const stillOpen = (s: OpenSocket): boolean => s.ws.readyState === WebSocket.OPEN;

/** A request through the proxy to the runtime's API, and one to the hub's. */
const runtimeStatus = async (headers: Record<string, string>) => (await fetch(`${hub.url}/user/alice/api/status`, { headers: { accept: 'application/json', ...headers } })).status;
const hubStatus = async (headers: Record<string, string>) => (await fetch(`${hub.url}/hub/api/user`, { headers })).status;

beforeAll(async () => {
  service = createServer((_req, res) => res.writeHead(404).end());
  new WebSocketServer({ server: service }).on('connection', (ws) => ws.on('message', (m: Buffer) => ws.send(`echo ${m.toString()}`)));
  const servicePort = await freePort();
  await new Promise<void>((r) => service.listen(servicePort, '127.0.0.1', r));
  hub = await startTestHub({ config: config(servicePort) });
  admin = hub.addUser('root', { admin: true });
  token = hub.addUser('alice');
  await startDefaultServer(hub, 'alice', token);
  const k = await hub.api('/user/alice/api/kernels', { method: 'POST', token, body: {} });
  expect(k.status, await k.clone().text()).toBe(201);
  kernelPath = `/user/alice/api/kernels/${((await k.json()) as { id: string }).id}`;
}, 150_000);

afterAll(async () => {
  await hub?.dispose();
  service?.close();
});

describe('revocation through the hub', () => {
  it('refuses an upgrade without a credential', async () => {
    expect(await upgrade({ origin: hub.url })).toBe(401);
  });

  it('logout closes the session\'s WebSockets and refuses its next upgrade and requests; a token\'s socket stays', async () => {
    const s = await login();
    const bySession = await openSocket(cookieHeaders(s));
    const byToken = await openSocket(tokenHeaders(token));
    // The proxy's cache now holds the session (its fast path answers the next request without the store).
    expect(await runtimeStatus({ cookie: s.cookie })).toBe(200);
    const out = await fetch(`${hub.url}/hub/logout`, { headers: { cookie: s.cookie }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(await closedSoon(bySession)).toBe(true);
    expect(stillOpen(byToken)).toBe(true);
    expect(await upgrade(cookieHeaders(s))).toBe(401);
    expect(await runtimeStatus({ cookie: s.cookie })).toBe(401);
    expect(await hubStatus({ cookie: s.cookie })).toBe(403);
    byToken.ws.close();
  });

  it("revoking a token closes its WebSockets and refuses it at once; the owner's other token keeps its socket", async () => {
    const created = await hub.api('/hub/api/users/alice/tokens', { method: 'POST', token, body: { note: 'to revoke' } });
    expect(created.status).toBe(201);
    const { token: revoked, id } = (await created.json()) as { token: string; id: string };
    const byRevoked = await openSocket(tokenHeaders(revoked));
    const serviceByRevoked = await openSocket(tokenHeaders(revoked), '/services/sock/');
    const byOther = await openSocket(tokenHeaders(token));
    expect(await runtimeStatus(tokenHeaders(revoked))).toBe(200);
    expect((await hub.api(`/hub/api/users/alice/tokens/${id}`, { method: 'DELETE', token })).status).toBe(204);
    expect(await closedSoon(byRevoked)).toBe(true);
    expect(await closedSoon(serviceByRevoked)).toBe(true);
    expect(stillOpen(byOther)).toBe(true);
    expect(await upgrade(tokenHeaders(revoked))).toBe(401);
    expect(await upgrade(tokenHeaders(revoked), '/services/sock/')).toBe(401);
    expect(await runtimeStatus(tokenHeaders(revoked))).toBe(401);
    expect(await hubStatus(tokenHeaders(revoked))).toBe(403);
    byOther.ws.close();
  });

  it("a password change ends the user's other sessions and their sockets, keeping the one that changed it; an admin's ends them all", async () => {
    const mine = await login();
    const other = await login();
    const byMine = await openSocket(cookieHeaders(mine));
    const byOther = await openSocket(cookieHeaders(other));
    const byToken = await openSocket(tokenHeaders(token));
    expect(await runtimeStatus({ cookie: other.cookie })).toBe(200);
    // The console's password form: the user's own session, with its XSRF value.
    const changed = await fetch(`${hub.url}/hub/api/users/alice`, {
      method: 'PATCH',
      headers: { cookie: mine.cookie, 'x-xsrftoken': mine.xsrf, 'content-type': 'application/json', origin: hub.url },
      body: JSON.stringify({ password: 'alice-new-password' }),
    });
    expect(changed.status, await changed.clone().text()).toBe(200);
    expect(await closedSoon(byOther)).toBe(true);
    expect(stillOpen(byMine)).toBe(true);
    expect(await upgrade(cookieHeaders(other))).toBe(401);
    expect(await runtimeStatus({ cookie: other.cookie })).toBe(401);
    expect(await hubStatus({ cookie: other.cookie })).toBe(403);
    expect(await hubStatus({ cookie: mine.cookie })).toBe(200);
    // Tokens are not sessions: they stay (as JupyterHub's do); revoking them is its own act.
    expect(stillOpen(byToken)).toBe(true);

    // An admin resetting the password ends every session, the one that changed it before included.
    expect((await hub.api('/hub/api/users/alice', { method: 'PATCH', token: admin, body: { password: 'alice-third-password' } })).status).toBe(200);
    expect(await closedSoon(byMine)).toBe(true);
    expect(await hubStatus({ cookie: mine.cookie })).toBe(403);
    expect(stillOpen(byToken)).toBe(true);
    byToken.ws.close();
  });

  it("deleting the user closes all of the user's sockets and refuses each of their credentials", async () => {
    const s = await login('alice-third-password');
    const bySession = await openSocket(cookieHeaders(s));
    const byToken = await openSocket(tokenHeaders(token));
    // Stopping alice's server ends the kernel's sockets by itself; a service's stays up unless the hub closes it.
    const serviceBySession = await openSocket(cookieHeaders(s), '/services/sock/');
    const serviceByToken = await openSocket(tokenHeaders(token), '/services/sock/');
    expect(await runtimeStatus(tokenHeaders(token))).toBe(200);
    expect((await hub.api('/hub/api/users/alice', { method: 'DELETE', token: admin })).status).toBe(204);
    expect(await closedSoon(bySession)).toBe(true);
    expect(await closedSoon(byToken)).toBe(true);
    expect(await closedSoon(serviceBySession)).toBe(true);
    expect(await closedSoon(serviceByToken)).toBe(true);
    expect(await upgrade(tokenHeaders(token), '/services/sock/')).toBe(401);
    expect(await upgrade(tokenHeaders(token))).toBe(401);
    expect(await upgrade(cookieHeaders(s))).toBe(401);
    expect(await runtimeStatus(tokenHeaders(token))).toBe(401);
    expect(await hubStatus(tokenHeaders(token))).toBe(403);
    expect(await hubStatus({ cookie: s.cookie })).toBe(403);
  }, 60_000);
});
