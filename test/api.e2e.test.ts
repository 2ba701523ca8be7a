import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { NBHUB_BIN, startTestHub, type TestHub } from './helpers/hub.js';

const PAGINATED = { accept: 'application/jupyterhub-pagination+json' };

// A runtime that answers every request with the headers it received.
const ECHO_PROFILE = `
profiles:
  echo:
    command: ["node", "-e", "require('http').createServer((q, s) => s.end(JSON.stringify({ url: q.url, headers: q.headers }))).listen(+process.argv[1], '127.0.0.1')", "{port}"]
    readiness_path: ""
`;

describe('JupyterHub-compatible REST API', () => {
  let hub: TestHub;
  let admin: string;
  let user: string;
  beforeAll(async () => {
    hub = await startTestHub({ config: ECHO_PROFILE });
    admin = hub.addUser('admin', { admin: true });
    user = hub.addUser('frank');
  });
  afterAll(() => hub?.dispose());

  const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> });

  it('reports the JupyterHub API version it implements', async () => {
    const r = await json(await hub.api('/hub/api/'));
    expect(r.status).toBe(200);
    expect(r.body['version']).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('accepts both token header forms and ?token=, and refuses bad tokens', async () => {
    expect((await hub.api('/hub/api/user', { headers: { authorization: `token ${user}` } })).status).toBe(200);
    expect((await hub.api('/hub/api/user', { headers: { authorization: `Bearer ${user}` } })).status).toBe(200);
    expect((await hub.api(`/hub/api/user?token=${user}`)).status).toBe(200);
    expect((await hub.api('/hub/api/user', { headers: { authorization: 'token nbh_wrong' } })).status).toBe(403);
    const me = await json(await hub.api('/hub/api/user', { token: user }));
    expect(me.body).toMatchObject({ kind: 'user', name: 'frank', admin: false, servers: {} });
  });

  it('creates users in bulk and one by one, with JupyterHub status codes', async () => {
    const bulk = await hub.api('/hub/api/users', { method: 'POST', token: admin, body: { usernames: ['u1', 'u2', 'u3'] } });
    expect(bulk.status).toBe(201);
    expect(((await bulk.json()) as Array<{ name: string }>).map((u) => u.name)).toEqual(['u1', 'u2', 'u3']);
    expect((await hub.api('/hub/api/users', { method: 'POST', token: admin, body: { usernames: ['u1', 'u2'] } })).status).toBe(409);
    expect((await hub.api('/hub/api/users/u4', { method: 'POST', token: admin })).status).toBe(201);
    expect((await hub.api('/hub/api/users/u4', { method: 'POST', token: admin })).status).toBe(409);
    expect((await hub.api('/hub/api/users/u5', { method: 'POST', token: user })).status).toBe(403);
  });

  it('lists users with pagination and state filters', async () => {
    const plain = await hub.api('/hub/api/users?limit=2', { token: admin });
    expect(((await plain.json()) as unknown[]).length).toBe(2);
    const page = (await (await hub.api('/hub/api/users?offset=1&limit=2', { token: admin, headers: PAGINATED })).json()) as {
      items: Array<{ name: string }>;
      _pagination: { offset: number; limit: number; total: number; next: { offset: number; url: string } | null };
    };
    expect(page.items).toHaveLength(2);
    expect(page._pagination).toMatchObject({ offset: 1, limit: 2, total: 6 });
    expect(page._pagination.next?.offset).toBe(3);
    expect(page._pagination.next?.url).toContain('offset=3');
    expect((await hub.api('/hub/api/users/frank/servers/e', { method: 'POST', token: user, body: { profile: 'echo' } })).status).toBe(201);
    const names = async (state: string) =>
      ((await (await hub.api(`/hub/api/users?state=${state}`, { token: admin })).json()) as Array<{ name: string }>).map((u) => u.name);
    expect(await names('ready')).toEqual(['frank']);
    expect(await names('active')).toEqual(['frank']);
    expect(await names('inactive')).not.toContain('frank');
    const bad = await json(await hub.api('/hub/api/users?state=sleepy', { token: admin }));
    expect(bad.status).toBe(400);
    expect(String(bad.body['message'])).toMatch(/state/);
  });

  it('answers start and stop with JupyterHub status codes', async () => {
    const again = await json(await hub.api('/hub/api/users/frank/servers/e', { method: 'POST', token: user, body: { profile: 'echo' } }));
    expect(again.status).toBe(400);
    expect(String(again.body['message'])).toMatch(/already running/);
    const model = (await (await hub.api('/hub/api/users/frank', { token: user })).json()) as { servers: Record<string, Record<string, unknown>> };
    expect(model.servers['e']).toMatchObject({ name: 'e', ready: true, pending: null, stopped: false, url: '/user/frank/e/', user_options: { profile: 'echo' } });
    expect(model.servers['e']?.['started']).toEqual(expect.any(String));
    expect(model.servers['e']?.['last_activity']).toEqual(expect.any(String));
    expect((await hub.api('/hub/api/users/frank/servers/e', { method: 'DELETE', token: user })).status).toBe(204);
    // stopped servers are listed only on request, as in JupyterHub
    const after = (await (await hub.api('/hub/api/users/frank', { token: user })).json()) as { servers: object };
    expect(after.servers).toEqual({});
    const withStopped = (await (await hub.api('/hub/api/users/frank?include_stopped_servers', { token: user })).json()) as {
      servers: Record<string, { stopped: boolean; nbhub: { state: string; stop_reason: string } }>;
    };
    expect(withStopped.servers['e']).toMatchObject({ stopped: true, nbhub: { state: 'stopped', stop_reason: 'user' } });
    expect((await hub.api('/hub/api/users/frank/servers/nope', { method: 'DELETE', token: user })).status).toBe(404);
    expect((await hub.api('/hub/api/users/frank/server', { method: 'DELETE', token: user })).status).toBe(204);
    expect((await hub.api('/hub/api/users/frank/server', { method: 'DELETE', token: user, body: { remove: true } })).status).toBe(400);
  });

  it("stops servers on DELETE with Content-Type: application/json and no body, as JupyterHub (admin scripts send it)", async () => {
    const empty = { method: 'DELETE', token: admin, headers: { 'content-type': 'application/json' } };
    const state = async (server: string) =>
      ((await (await hub.api('/hub/api/users/frank?include_stopped_servers', { token: admin })).json()) as { servers: Record<string, { nbhub: { state: string } }> }).servers[server]?.nbhub.state;
    for (const [path, server] of [
      ['/hub/api/users/frank/server', ''],
      ['/hub/api/users/frank/servers/e', 'e'],
    ] as const) {
      expect((await hub.api(path, { method: 'POST', token: admin, body: { profile: 'echo' } })).status).toBe(201);
      const r = await hub.api(path, empty);
      expect(r.status, await r.text()).toBe(204);
      expect(await state(server)).toBe('stopped');
    }
  });

  it('creates, lists and revokes tokens, showing the secret once', async () => {
    const created = await json(await hub.api('/hub/api/users/frank/tokens', { method: 'POST', token: user, body: { note: 'ci', expires_in: 3600 } }));
    expect(created.status).toBe(201);
    const secret = created.body['token'] as string;
    expect(secret).toMatch(/^nbh_/);
    expect((await hub.api('/hub/api/user', { token: secret })).status).toBe(200);
    const list = (await (await hub.api('/hub/api/users/frank/tokens', { token: user })).json()) as { api_tokens: Array<Record<string, unknown>> };
    const mine = list.api_tokens.find((t) => t['id'] === created.body['id']);
    expect(mine).toMatchObject({ note: 'ci', kind: 'api_token' });
    expect(JSON.stringify(list)).not.toContain(secret);
    expect((await hub.api(`/hub/api/users/frank/tokens/${String(created.body['id'])}`, { method: 'DELETE', token: user })).status).toBe(204);
    expect((await hub.api('/hub/api/user', { token: secret })).status).toBe(403);
  });

  it('refuses a token lifetime past a date range (was a 500, then every listing of the tokens failed too; schemathesis)', async () => {
    const r = await hub.api('/hub/api/users/frank/tokens', { method: 'POST', token: user, body: { expires_in: 6028253762839705026560 } });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('expires_in');
    expect((await hub.api('/hub/api/users/frank/tokens', { token: user })).status).toBe(200);
  });

  it('logs in with a session cookie and requires the XSRF header for cookie writes', async () => {
    const bad = await hub.api('/hub/login', { method: 'POST', body: { username: 'frank', password: 'wrong-password' } });
    expect(bad.status).toBe(403);
    const r = await hub.api('/hub/login', { method: 'POST', body: { username: 'frank', password: 'frank-password' } });
    expect(r.status).toBe(200);
    const cookies = r.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('nbhub-session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    const xsrf = /nbhub-xsrf=([^;]+)/.exec(cookies.join('\n'))?.[1] as string;
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    expect((await hub.api('/hub/api/user', { headers: { cookie } })).status).toBe(200);
    const noXsrf = await hub.api('/hub/api/users/frank/tokens', { method: 'POST', headers: { cookie } });
    expect(noXsrf.status).toBe(403);
    expect(((await noXsrf.json()) as { message: string }).message).toMatch(/XSRF/);
    expect((await hub.api('/hub/api/users/frank/tokens', { method: 'POST', headers: { cookie, 'x-xsrftoken': xsrf } })).status).toBe(201);
    // Behind https (X-Forwarded-Proto), the cookie is Secure, and `__Host-` prefixed (issue 16: no tossing from a sibling).
    const secure = await hub.api('/hub/login', { method: 'POST', body: { username: 'frank', password: 'frank-password' }, headers: { 'x-forwarded-proto': 'https' } });
    expect(secure.headers.getSetCookie().find((c) => c.startsWith('__Host-nbhub-session='))).toMatch(/Secure/);
    // The proxy refuses a cross-site write carried by the cookie.
    expect((await hub.api('/hub/api/users/frank/servers/e', { method: 'POST', token: user, body: { profile: 'echo' } })).status).toBe(201);
    const seen = (await (await hub.api('/user/frank/e/x?token=abc&keep=1', { headers: { cookie: `${cookie}; jupyter-cookie=1` } })).json()) as {
      url: string;
      headers: Record<string, string>;
    };
    // Upstream sees the runtime's token, the runtime's own cookies, and none of the hub's credentials.
    expect(seen.url).toBe('/user/frank/e/x?keep=1');
    expect(seen.headers['cookie']).toBe('jupyter-cookie=1');
    expect(seen.headers['authorization']).toMatch(/^token [\w-]{20,}$/);
    const viaToken = (await (await hub.api('/user/frank/e/', { token: user })).json()) as { headers: Record<string, string> };
    expect(viaToken.headers['authorization']).not.toContain(user);
    expect(viaToken.headers['authorization']).toBe(seen.headers['authorization']);
    expect((await hub.api('/user/frank/e/x', { method: 'POST', headers: { cookie, origin: 'http://evil.example' } })).status).toBe(403);
    // Logged out, the cookie no longer works.
    await hub.api('/hub/logout', { method: 'POST', headers: { cookie, 'x-xsrftoken': xsrf } });
    expect((await hub.api('/hub/api/user', { headers: { cookie } })).status).toBe(403);
  });

  it('answers a browser at a stopped server with a page offering to start it', async () => {
    await hub.api('/hub/api/users/frank/servers/e', { method: 'DELETE', token: user });
    const page = await hub.api('/user/frank/e/tree', { token: user, headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('is not running');
    expect(html).toContain('Start it');
    const anon = await hub.api('/user/frank/e/tree', { headers: { accept: 'text/html' } });
    expect(anon.redirected || anon.url.includes('/hub/login')).toBe(true);
  });

  it('modifies and deletes users as an admin only', async () => {
    expect((await hub.api('/hub/api/users/u1', { method: 'PATCH', token: user, body: { admin: true } })).status).toBe(403);
    const patched = await json(await hub.api('/hub/api/users/u1', { method: 'PATCH', token: admin, body: { admin: true, name: 'u1renamed' } }));
    expect(patched.body).toMatchObject({ name: 'u1renamed', admin: true });
    // A user with servers keeps their name: the workspaces live under it.
    const renameBusy = await json(await hub.api('/hub/api/users/frank', { method: 'PATCH', token: admin, body: { name: 'franklin' } }));
    expect(renameBusy.status).toBe(400);
    expect(String(renameBusy.body['message'])).toMatch(/files are kept under that name/);
    expect((await hub.api('/hub/api/users/frank', { token: admin })).status).toBe(200);
    expect((await hub.api('/hub/api/users/nobody/tokens', { token: admin })).status).toBe(404);
    expect((await hub.api('/hub/api/users/admin', { method: 'DELETE', token: admin })).status).toBe(400);
    expect((await hub.api('/hub/api/users/u1renamed', { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await hub.api('/hub/api/users/u1renamed', { token: admin })).status).toBe(404);
  });

  it('moves a renamed user’s usage and kernel notebooks to the new name, and a deleted one’s go with them', async () => {
    // Usage written into the hub's database beside it (as the CLI does), for a user without servers.
    const store = createSqliteStore(join(hub.dataDir, 'nbhub.sqlite'));
    const now = Date.now();
    const t0 = now - 120_000;
    try {
      const rows = [0, 10_000, 20_000].flatMap((dt, i) => [
        { user: 'u2', server: '', kernel: '', t: t0 + dt, cpuFrom: i, cpu: i + 1, memory: 1000 },
        { user: 'u2', server: '', kernel: 'k-1', t: t0 + dt, cpuFrom: i, cpu: i + 0.5, memory: 500 },
      ]);
      await store.usage.write(rows);
      await store.usage.noteNotebooks([{ user: 'u2', server: '', kernel: 'k-1', notebook: 'study.ipynb' }], now);
    } finally {
      await store.close();
    }
    const range = `from=${Math.floor(t0 / 1000) - 5}&to=${Math.ceil(now / 1000) + 5}&step=1`;
    const usage = async (q: string) => {
      const r = await hub.api(`/hub/api/usage?${q}&${range}`, { token: admin });
      expect(r.status).toBe(200);
      return (await r.json()) as { totals: Array<{ labels: Record<string, string>; cpu_seconds: number }> };
    };
    const before = await usage('user=u2&group_by=kernel');
    expect(before.totals.find((t) => t.labels['kernel'] === 'k-1')?.labels['notebook']).toBe('study.ipynb');

    expect((await hub.api('/hub/api/users/u2', { method: 'PATCH', token: admin, body: { name: 'u2renamed' } })).status).toBe(200);
    expect((await usage('user=u2&group_by=user')).totals).toEqual([]);
    const after = await usage('user=u2renamed&group_by=kernel');
    expect(after.totals).toEqual(before.totals.map((t) => ({ ...t, labels: { ...t.labels, user: 'u2renamed' } })));
    expect(after.totals.find((t) => t.labels['kernel'] === 'k-1')?.labels['notebook']).toBe('study.ipynb');
    expect((await usage('group_by=user')).totals.map((t) => t.labels['user'])).toContain('u2renamed');

    // Deleted, then a new user of that name: nothing of the old one's.
    expect((await hub.api('/hub/api/users/u2renamed', { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await hub.api('/hub/api/users/u2renamed', { method: 'POST', token: admin })).status).toBe(201);
    expect((await usage('user=u2renamed&group_by=kernel')).totals).toEqual([]);
    expect((await usage('group_by=user')).totals.map((t) => t.labels['user'])).not.toContain('u2renamed');
  });

  it('serves an OpenAPI document covering every route, the proxy included', async () => {
    const doc = (await (await hub.api('/hub/api/openapi.json')).json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/hub/api/users', '/hub/api/users/{name}', '/hub/api/users/{name}/server', '/hub/api/users/{name}/servers/{server}', '/hub/api/users/{name}/tokens', '/hub/api/user', '/hub/login', '/user/{name}/{path}']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
  });
});

describe('bad input', () => {
  let hub: TestHub;
  let admin: string;
  beforeAll(async () => {
    hub = await startTestHub();
    admin = hub.addUser('admin', { admin: true });
  });
  afterAll(() => hub?.dispose());

  const users = async () => ((await (await hub.api('/hub/api/users', { token: admin })).json()) as Array<{ name: string; admin: boolean }>);

  it.each([
    ['malformed JSON', '/hub/api/users', 'POST', '{"usernames": [', /Malformed JSON/],
    ['wrong types', '/hub/api/users', 'POST', { usernames: 'zed' }, /usernames/],
    ['wrong type in patch', '/hub/api/users/admin', 'PATCH', { admin: 'yes' }, /admin/],
    ['unknown fields', '/hub/api/users', 'POST', { usernames: ['zed'], colour: 'red' }, /unknown field "colour"/],
    ['missing body', '/hub/api/users', 'POST', undefined, /body/],
    ['empty JSON body', '/hub/api/users/admin', 'PATCH', '', /[Ee]mpty body|body/],
    ['path tricks in a user name', '/hub/api/users/..%2F..%2Fetc', 'POST', {}, /name/],
    ['upper-case user name', '/hub/api/users/Zed', 'POST', {}, /name/],
    ['path tricks in a server name', '/hub/api/users/admin/servers/..%2Fx', 'POST', {}, /server/],
    ['a hidden-file server name', '/hub/api/users/admin/servers/.hidden', 'POST', {}, /server/],
    ['bad pagination', '/hub/api/users?offset=-1', 'GET', undefined, /offset/],
  ] as const)('%s gets a 4xx JSON error naming the problem and changes nothing', async (_label, path, method, body, pattern) => {
    const before = await users();
    const headers: Record<string, string> = {};
    if (body === '' || typeof body === 'string') headers['content-type'] = 'application/json';
    const r = await hub.api(path, { method, token: admin, headers, ...(body !== undefined ? { body } : {}) });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    const err = (await r.json()) as { status: number; message: string };
    expect(err.status).toBe(r.status);
    expect(err.message).toMatch(pattern);
    expect(await users()).toEqual(before);
  });

  it('refuses a 20 MB body with 413 and keeps serving', async () => {
    // The client announces 20 MB and sends the start of it, then waits for the answer: a client that
    // pushes the rest regardless may see the refused connection reset before it reads the 413.
    const big = Buffer.from(JSON.stringify({ usernames: ['x'.repeat(20 * 1024 * 1024)] }));
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${hub.url}/hub/api/users`, {
        method: 'POST',
        headers: { authorization: `token ${admin}`, 'content-type': 'application/json', 'content-length': big.length },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write(big.subarray(0, 65_536));
    });
    expect(r.status).toBe(413);
    expect((JSON.parse(r.body) as { message: string }).message).toMatch(/too large/);
    expect((await users()).map((u) => u.name)).toEqual(['admin']);
    expect((await hub.api('/hub/api/', {})).status).toBe(200);
  });

  it('stops the hub at start-up with a message naming a bad config key', () => {
    let out = '';
    try {
      execFileSync(process.execPath, [NBHUB_BIN, 'start', '--data-dir', hub.dataDir], { env: { ...process.env, NBHUB_LIFECYCLE_STOP_GRACE_SECONDS: 'soon' }, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      out = String((err as { stderr: string }).stderr);
    }
    expect(out).toContain('lifecycle.stop_grace_seconds');
    expect(out).toContain('NBHUB_LIFECYCLE_STOP_GRACE_SECONDS');
    let out2 = '';
    try {
      execFileSync(process.execPath, [NBHUB_BIN, 'start', '--data-dir', hub.dataDir, '--port', '70000'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      out2 = String((err as { stderr: string }).stderr);
    }
    expect(out2).toMatch(/port: .*65535/);
  });
});
