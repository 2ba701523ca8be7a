import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

/**
 * Issue 16, the HTTP-level attacks, one test per class, against a real hub in front of helpers/recording-runtime.py
 * (which records every request it gets, so "never reached the runtime" is read from the runtime itself). Node's
 * fetch would normalise what an attacker sends (dot segments, Host, framing): raw node:http requests and raw TCP
 * sockets here.
 */
const RECORDER = fileURLToPath(new URL('./helpers/recording-runtime.py', import.meta.url));
const CONFIG = `
profiles:
  default:
    command: ["python3", "${RECORDER}", "{port}", "{base_url}", "{workspace}"]
    readiness_path: ""
`;
const PASSWORD = 'alice-Pa55word-xyz';
const SECURITY = { 'x-content-type-options': 'nosniff', 'content-security-policy': "frame-ancestors 'self'", 'referrer-policy': 'same-origin' };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: number;
}

describe('HTTP-level hardening (issue 16)', () => {
  let hub: TestHub;
  let aliceToken: string;
  let bobToken: string;
  let rootToken: string;
  let cookie: string;
  let xsrf: string;
  let host: string;

  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: hub.port, method, path, headers, setHost: headers['host'] === undefined }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b }));
      });
      req.on('error', reject);
      req.end(body);
    });

  /** Bytes as written, on a fresh connection; the whole answer (the hub closes or the test's short wait ends). */
  const tcp = (bytes: string): Promise<string> =>
    new Promise((resolve) => {
      const s = connect(hub.port, '127.0.0.1');
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('error', () => resolve(got));
      s.on('close', () => resolve(got));
      s.write(bytes);
      setTimeout(() => s.destroy(), 1_500);
    });

  const recorded = async (user: string, token: string): Promise<Recorded[]> => {
    const r = await raw('GET', `/user/${user}/__requests`, { authorization: `token ${token}` });
    expect(r.status).toBe(200);
    return JSON.parse(r.body) as Recorded[];
  };

  const startServer = async (user: string, token: string) => {
    const r = await hub.api(`/hub/api/users/${user}/server`, { method: 'POST', token });
    expect([201, 202]).toContain(r.status);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const m = (await (await hub.api(`/hub/api/users/${user}`, { token })).json()) as { servers: Record<string, { ready: boolean }> };
      if (m.servers['']?.ready) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`${user}'s server did not start:\n${hub.output()}`);
  };

  beforeAll(async () => {
    // Debug: every line the hub can write about a request is in the output read by the logs test.
    hub = await startTestHub({ config: CONFIG, env: { NBHUB_LOG_LEVEL: 'debug' } });
    host = `127.0.0.1:${hub.port}`;
    aliceToken = hub.addUser('alice', { password: PASSWORD });
    bobToken = hub.addUser('bob');
    rootToken = hub.addUser('root', { admin: true });
    hub.addUser('carol');
    await startServer('alice', aliceToken);
    await startServer('bob', bobToken);
    const login = await raw('POST', '/hub/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'alice', password: PASSWORD }));
    expect(login.status).toBe(200);
    const cookies = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] as string);
    cookie = cookies.join('; ');
    xsrf = cookies.find((c) => c.startsWith('nbhub-xsrf='))?.slice('nbhub-xsrf='.length) ?? '';
    expect(cookie).toMatch(/nbhub-session=/);
  }, 120_000);

  afterAll(async () => {
    await hub?.dispose();
  });

  it('1. Origin: null, another scheme, a longer host, another port are refused on cookie writes and WebSockets (API and proxy)', async () => {
    const origins = ['null', `https://${host}`, `http://127.0.0.1:${hub.port + 1}`];
    for (const origin of origins) {
      const p = await raw('POST', '/user/alice/origin-check', { cookie, origin, 'content-type': 'application/json' }, '{}');
      expect(p.status, origin).toBe(403);
      const a = await raw('POST', '/hub/api/users/alice/tokens', { cookie, 'x-xsrftoken': xsrf, origin, 'content-type': 'application/json' }, '{}');
      expect(a.status, origin).toBe(403);
      const ws = await tcp(
        `GET /user/alice/api/kernels/x/channels HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nOrigin: ${origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      expect(ws, origin).toMatch(/^HTTP\/1.1 403/);
    }
    // A Host the hub is reached by, and an Origin that only starts with it.
    const suffix = await raw('POST', '/user/alice/origin-check', { host: `hub.example.com:${hub.port}`, cookie, origin: `http://hub.example.com.evil:${hub.port}` }, '');
    expect(suffix.status).toBe(403);
    expect((await recorded('alice', aliceToken)).filter((r) => r.path.includes('origin-check'))).toEqual([]);
    // The hub's own origin passes.
    expect((await raw('POST', '/user/alice/origin-check', { cookie, origin: `http://${host}` }, '')).status).toBe(200);
    expect((await raw('POST', '/user/alice/origin-check', { host: `hub.example.com:${hub.port}`, cookie, origin: `http://hub.example.com:${hub.port}` }, '')).status).toBe(200);
  });

  it('2. next= and every hub redirect stay on the hub', async () => {
    const hostile = ['//evil.example/', '/\\evil.example', '/./\\/evil.example', '/.//evil.example/', '/a/..//evil.example/', '/%2e/..//evil.example/', '/\t/evil.example', 'https://evil.example/'];
    for (const next of hostile) {
      const form = new URLSearchParams({ username: 'alice', password: PASSWORD, next }).toString();
      const r = await raw('POST', '/hub/login', { 'content-type': 'application/x-www-form-urlencoded' }, form);
      expect(r.status, next).toBe(303);
      const loc = String(r.headers.location);
      expect(new URL(loc, 'http://hub.invalid').host, `${next} → ${loc}`).toBe('hub.invalid');
      expect(loc, next).not.toMatch(/^\/[/\\]|^[a-z]+:/i);
      const failed = await raw('POST', '/hub/login', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ username: 'alice', password: 'wrong', next }).toString());
      const back = new URL(String(failed.headers.location), 'http://hub.invalid').searchParams.get('next') ?? '';
      expect(new URL(back, 'http://hub.invalid').host, next).toBe('hub.invalid');
    }
    // The proxy's login redirect names the path asked for, on the hub and without the refused token.
    const p = await raw('GET', '/user/alice/tree?token=not-a-token', { accept: 'text/html' });
    expect(p.status).toBe(302);
    expect(String(p.headers.location)).toBe(`/hub/login?next=${encodeURIComponent('/user/alice/tree')}`);
  });

  it("3. security headers on every answer the hub makes, not forced onto the runtime's", async () => {
    const hubMade: [string, Record<string, string>][] = [
      ['/hub/api/', {}],
      ['/hub/', { accept: 'text/html' }],
      ['/hub/login', { accept: 'text/html' }],
      ['/hub/api/no-such-route', {}],
      ['/hub/api/users', { authorization: `token ${aliceToken}` }],
      ['/user/bob/', { authorization: `token ${aliceToken}` }],
      ['/user/carol/', { authorization: `token ${rootToken}`, accept: 'text/html' }],
      ['/user/alice/', { accept: 'text/html' }],
      ['/services/nope/', {}],
    ];
    for (const [path, headers] of hubMade) {
      const r = await raw('GET', path, headers);
      for (const [k, v] of Object.entries(SECURITY)) expect(r.headers[k], `${path} (${r.status}) ${k}`).toBe(v);
    }
    const own = await raw('GET', '/user/alice/page', { authorization: `token ${aliceToken}` });
    expect(own.status).toBe(200);
    for (const k of Object.keys(SECURITY)) expect(own.headers[k], k).toBeUndefined();
  });

  it("4. another site's requests with the session cookie: only top-level GET navigations pass; form bodies need the hub's origin and XSRF", async () => {
    for (const mode of ['no-cors', 'cors']) {
      const site = { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': mode };
      expect((await raw('GET', '/hub/api/user', site)).status, mode).toBe(403);
      expect((await raw('GET', '/user/alice/fetch-metadata', site)).status, mode).toBe(403);
    }
    const nav = { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    expect((await raw('GET', '/hub/api/user', nav)).status).toBe(200);
    expect((await raw('GET', '/user/alice/fetch-metadata', nav)).status).toBe(200);
    expect((await recorded('alice', aliceToken)).filter((r) => r.path.includes('fetch-metadata'))).toHaveLength(1);
    // Forms another site can post without a preflight: refused on the proxy by origin, on the API by the XSRF check too.
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', 'a=1'],
      ['multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n'],
      ['text/plain', '{"x":1}'],
    ];
    for (const [type, body] of bodies) {
      const p = await raw('POST', '/user/alice/form-post', { cookie, 'content-type': type, origin: 'http://evil.example' }, body);
      expect(p.status, type).toBe(403);
      const a = await raw('POST', '/hub/api/users/alice/tokens', { cookie, 'content-type': type }, body);
      expect(a.status, type).toBe(403);
    }
    expect((await recorded('alice', aliceToken)).filter((r) => r.path.includes('form-post'))).toEqual([]);
    // Login CSRF: another site's form cannot log this browser in (as the attacker); its link cannot log it out.
    const form = `username=alice&password=${encodeURIComponent(PASSWORD)}`;
    const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreigns: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }, { origin: 'http://evil.example' }, { origin: 'null' }];
    for (const foreign of foreigns) {
      const l = await raw('POST', '/hub/login', { ...urlencoded, ...foreign }, form);
      expect(l.status, JSON.stringify(foreign)).toBe(403);
      expect(l.headers['set-cookie'], JSON.stringify(foreign)).toBeUndefined();
    }
    const own = await raw('POST', '/hub/login', { ...urlencoded, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, form);
    expect(own.status).toBe(303);
    expect(String(own.headers['set-cookie'])).toMatch(/nbhub-session=/);
    const away = await raw('GET', '/hub/logout', { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(away.status).toBe(303);
    expect(away.headers['set-cookie']).toBeUndefined();
    expect((await raw('GET', '/hub/api/user', { cookie })).status).toBe(200);
  });

  it('5. cookies: HttpOnly, SameSite=Lax, __Host- and Secure behind TLS; two session values are no session; runtime cookies stay under its prefix', async () => {
    const plain = await raw('POST', '/hub/login', { 'content-type': 'application/json' }, JSON.stringify({ username: 'alice', password: PASSWORD }));
    const session = (plain.headers['set-cookie'] ?? []).find((c) => c.startsWith('nbhub-session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    const tls = await raw('POST', '/hub/login', { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, JSON.stringify({ username: 'alice', password: PASSWORD }));
    const secure = (tls.headers['set-cookie'] ?? []).find((c) => c.includes('session='));
    expect(secure).toMatch(/^__Host-nbhub-session=[^;]+; Path=\/;.*HttpOnly; Secure$/);
    expect(secure).not.toMatch(/Domain=/i);
    const hostCookie = (secure as string).split(';')[0] as string;
    expect((await raw('GET', '/hub/api/user', { cookie: hostCookie })).status).toBe(200);
    // Tossed: a second value under the session's name (or the other name) beside the real one.
    const real = cookie.split('; ').find((c) => c.startsWith('nbhub-session=')) as string;
    for (const tossed of [`nbhub-session=${'a'.repeat(43)}; ${real}`, `${real}; nbhub-session=other`, `${hostCookie}; ${real}`]) {
      const r = await raw('GET', '/hub/api/user', { cookie: tossed });
      expect(r.status, tossed).toBe(403);
      const p = await raw('GET', '/user/alice/tossed', { cookie: tossed });
      expect(p.status, tossed).toBe(401);
    }
    const set = (await raw('GET', '/user/alice/set-cookies', { authorization: `token ${aliceToken}` })).headers['set-cookie'] ?? [];
    expect(set.length).toBeGreaterThan(0);
    for (const c of set) {
      expect(c, c).toMatch(/; Path=\/user\/alice\//);
      expect(c, c).not.toMatch(/Domain=|^nbhub-|^__Host-/i);
    }
    expect(set.find((c) => c.startsWith('own='))).toBe('own=1; Path=/user/alice/lab');
  });

  it('6. toward the runtime: no client credential, identity claim or forwarding header; the hub sets X-Forwarded-*', async () => {
    const claims = {
      'x-remote-user': 'root',
      'remote-user': 'root',
      'x-forwarded-user': 'root',
      'x-auth-request-user': 'root',
      'x-auth-request-email': 'root@example.com',
      'x-forwarded-email': 'root@example.com',
      'x-forwarded-preferred-username': 'root',
      'x-forwarded-for': '203.0.113.9',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'gopher',
      'x-forwarded-prefix': '/evil',
      'x-forwarded-port': '1',
    };
    expect((await raw('GET', `/user/alice/claims?token=${aliceToken}&x=1`, { ...claims, cookie: 'other=1' })).status).toBe(200);
    expect((await raw('GET', '/user/alice/claims-auth', { ...claims, authorization: `token ${aliceToken}` })).status).toBe(200);
    const seen = (await recorded('alice', aliceToken)).filter((r) => r.path.includes('claims'));
    expect(seen).toHaveLength(2);
    for (const r of seen) {
      expect(r.path).not.toMatch(/token=/);
      for (const k of Object.keys(claims)) if (!['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'].includes(k)) expect(r.headers[k], k).toBeUndefined();
      expect(r.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(r.headers['x-forwarded-host']).toBe(host);
      expect(r.headers['x-forwarded-proto']).toBe('http');
      expect(r.headers['authorization']).not.toContain(aliceToken);
    }
  });

  it('7. request smuggling: bodies on GET/HEAD/DELETE/OPTIONS, Content-Length with Transfer-Encoding, duplicated Content-Length, obs-fold', async () => {
    const smuggled = `GET /user/alice/smuggled HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
    const chunk = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    for (const method of ['GET', 'HEAD', 'DELETE', 'OPTIONS']) {
      const got = await tcp(`${method} /user/alice/framed-${method} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}`);
      expect(got, method).toMatch(/^HTTP\/1.1 200/);
    }
    const refused = [
      `POST /user/alice/cl-te HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`,
      `POST /user/alice/cl-cl HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nContent-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
      `POST /user/alice/obs-fold HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nTransfer-Encoding:\r\n chunked\r\n\r\n${chunk}`,
      `POST /user/alice/te-te HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n${chunk}`,
    ];
    for (const bytes of refused) expect(await tcp(bytes), bytes.split('\r\n')[0]).toMatch(/^HTTP\/1.1 400/);
    const seen = await recorded('alice', aliceToken);
    expect(seen.filter((r) => r.path.includes('smuggled'))).toEqual([]);
    expect(seen.filter((r) => /cl-te|cl-cl|obs-fold|te-te/.test(r.path))).toEqual([]);
    // Each framed one arrived once, with its body framed.
    const framed = seen.filter((r) => r.path.includes('framed-'));
    expect(framed.map((r) => r.method).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS']);
    for (const r of framed) expect(r.body, r.method).toBe(Buffer.byteLength(smuggled));
  });

  it("8. one canonical path decides the owner: no spelling reaches another user's runtime", async () => {
    const spellings = [
      '/user/alice/../bob/canon',
      '/user/alice/%2e%2e/bob/canon',
      '/user/alice/.%2E/bob/canon',
      '/user/alice%2f..%2fbob/canon',
      '/user/alice%2F..%2Fbob/canon',
      '/user/alice;x/../bob/canon',
      '/user/alice\\..\\bob/canon',
      '/user/alice/%5c..%5cbob/canon',
      '/user//bob/canon',
    ];
    for (const path of spellings) {
      const got = await tcp(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nConnection: close\r\n\r\n`);
      expect(got, path).toMatch(/^HTTP\/1.1 400/);
    }
    // Another case is no user path at all (the hub's 404), never a runtime.
    expect((await raw('GET', '/USER/bob/canon', { authorization: `token ${aliceToken}` })).status).toBe(404);
    // The apps' SSRF guard on the runtime path: a host in place of a port.
    const ssrf = await tcp(`GET /user/alice/proxy/evil.example@127.0.0.1:${hub.port}/canon HTTP/1.1\r\nHost: ${host}\r\nAuthorization: token ${aliceToken}\r\nConnection: close\r\n\r\n`);
    expect(ssrf).toMatch(/^HTTP\/1.1 400/);
    expect((await recorded('bob', bobToken)).filter((r) => r.path.includes('canon'))).toEqual([]);
    expect((await recorded('alice', aliceToken)).filter((r) => r.path.includes('canon'))).toEqual([]);
  });

  it("9. hostile names are escaped on the hub's pages and refused as names", async () => {
    // No `/` in it (an encoded slash in a name is refused, class 8): `<` and quotes are what could break out.
    const name = `<img src=x onerror=alert(1)><script>alert("2")<\u2028'`;
    const page = await raw('GET', `/user/${encodeURIComponent(name)}/x`, { authorization: `token ${rootToken}`, accept: 'text/html' });
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('&#60;img');
    expect(page.body).not.toMatch(/<img|<script>alert/);
    expect(page.body.match(/<script/gi)).toHaveLength(1);
    // In the inline script: only inside string literals, never a raw U+2028 (a line terminator to older parsers).
    const script = /<script>([\s\S]*)<\/script>/.exec(page.body)?.[1] ?? '';
    expect(script).not.toMatch(/<img|\u2028/);
    const bad = await hub.api(`/hub/api/users/alice/servers/${encodeURIComponent('<img src=x>')}`, { method: 'POST', token: aliceToken });
    expect(bad.status).toBe(400);
    const err = await raw('GET', `/hub/api/${encodeURIComponent('<img src=x onerror=alert(1)>')}`);
    expect(err.headers['content-type']).toMatch(/application\/json/);
    expect(err.headers['x-content-type-options']).toBe('nosniff');
  });

  it('10. no password, token, session or code in the logs or in hub-made Locations', async () => {
    // A token and a code in a proxied URL whose upstream fails (the proxy logs it), and one the hub cannot route.
    await raw('GET', `/user/alice/hang-up?token=${aliceToken}&code=the-auth-code&state=the-state`);
    await raw('GET', `/services/nope?token=${aliceToken}`);
    const slash = await raw('GET', `/services/board?token=${aliceToken}`);
    expect(slash.status).toBe(302);
    expect(slash.headers.location).toBe('/services/board/');
    const out = hub.output();
    expect(out).toMatch(/proxy: upstream error/);
    for (const secret of [PASSWORD, aliceToken, bobToken, rootToken, 'the-auth-code', 'the-state', cookie.split('nbhub-session=')[1]?.split(';')[0] as string]) {
      expect(out.includes(secret), `the log holds ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
