import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS_MISSING, appsBin, appsEnv, butterflyEcho, openWs } from './helpers/apps.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));
const env = appsEnv();

interface AppStatus {
  name: string;
  title: string;
  state: string;
  url: string;
  message: string | null;
  restarts: number;
}

const CONFIG = (streamlit: string, python: string, butterfly: string) => `
lifecycle:
  poll_seconds: 1
profiles:
  apps:
    command: ["python3", "${helper('light-runtime.py')}", "{port}", "{base_url}", "{workspace}"]
    apps:
      hello:
        command: ["python3", "${helper('named-app.py')}", "hello", "{port}"]
        title: Hello
        icon: /hub/static/hello.svg
      board:
        command: ["${streamlit}", "run", "${helper('streamlit-board.py')}", "--server.port", "{port}", "--server.address", "127.0.0.1",
                  "--server.headless", "true", "--server.baseUrlPath", "{base_url}", "--browser.gatherUsageStats", "false"]
        strip_prefix: false
        readiness_path: /_stcore/health
        timeout_seconds: 60
        title: Board
      broken:
        command: ["python3", "${helper('named-app.py')}", "broken", "{port}", "--fail"]
      term:
        command: ["${python}", "${butterfly}", "--host=127.0.0.1", "--port={port}", "--unsecure", "--shell=/bin/sh", "--motd=/dev/null", "--uri-root-path={base_url}"]
        strip_prefix: false
        title: Terminal
`;

/** A page opened in a browser (fetch sends its own Sec-Fetch-Mode, cors): a top-level navigation, with a token. */
const navigate = (port: number, path: string, token: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const headers = { authorization: `token ${token}`, accept: 'text/html,*/*;q=0.8', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });

/** The processes of this hub's runtime alice/w, by the test's own reading of /proc (not the hub's). */
const runtimeProcesses = (hub: TestHub): Array<{ pid: number; app: string | null }> => {
  const out: Array<{ pid: number; app: string | null }> = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const environ = readFileSync(`/proc/${e}/environ`, 'utf8').split('\0');
      if (!environ.includes('NBHUB_RUNTIME=alice/w') || !readlinkSync(`/proc/${e}/cwd`).startsWith(hub.dataDir)) continue;
      const app = environ.find((v) => v.startsWith('NBHUB_APP='));
      out.push({ pid: Number(e), app: app ? app.slice('NBHUB_APP='.length) : null });
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
};

describe.skipIf(!env)(`named apps (${env ? 'Streamlit from the apps env' : APPS_MISSING})`, () => {
  let hub: TestHub;
  let alice: string;
  let bob: string;
  const apps = async (): Promise<AppStatus[]> => (await (await hub.api('/hub/api/users/alice/servers/w/apps', { token: alice })).json()) as AppStatus[];
  const appOf = async (name: string) => (await apps()).find((a) => a.name === name);
  const visit = (path: string, token = alice) => hub.api(`/user/alice/w/apps/${path}`, { token });

  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG(appsBin(env as string, 'streamlit'), appsBin(env as string, 'python'), appsBin(env as string, 'butterfly.server.py')) });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    const r = await hub.api('/hub/api/users/alice/servers/w', { method: 'POST', token: alice, body: { profile: 'apps' } });
    expect([201, 202]).toContain(r.status);
    for (let i = 0; i < 400 && (await hub.api('/hub/api/users/alice/servers/w/apps', { token: alice })).status !== 200; i++) await new Promise((res) => setTimeout(res, 50));
  }, 60_000);
  afterAll(async () => {
    // The apps' command lines do not name the data dir (the helper's cleanup looks there): stop the runtime first.
    await hub?.api('/hub/api/users/alice/servers/w', { method: 'DELETE', token: alice }).catch(() => undefined);
    await hub?.dispose();
  });

  it("lists the profile's apps, stopped until asked for", async () => {
    expect((await apps()).map((a) => [a.name, a.title, a.state, a.url])).toEqual([
      ['hello', 'Hello', 'stopped', '/user/alice/w/apps/hello/'],
      ['board', 'Board', 'stopped', '/user/alice/w/apps/board/'],
      ['broken', 'broken', 'stopped', '/user/alice/w/apps/broken/'],
      ['term', 'Terminal', 'stopped', '/user/alice/w/apps/term/'],
    ]);
  });

  it('starts an app on its first visit and serves it (prefix stripped), as one of the runtime', async () => {
    const r = await visit('hello/some/page?x=1');
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/^hello from hello pid=\d+ path=\/some\/page\?x=1 runtime=alice\/w$/);
    expect((await appOf('hello'))?.state).toBe('running');
  });

  it('starts Streamlit (prefix kept) and serves its page and assets under the prefix', async () => {
    const r = await hub.api('/hub/api/users/alice/servers/w/apps/board', { method: 'POST', token: alice });
    expect([200, 201, 202]).toContain(r.status);
    await expect.poll(async () => (await appOf('board'))?.state, { timeout: 60_000 }).toBe('running');
    const page = await visit('board/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Streamlit</title>');
    expect((await visit('board/_stcore/health')).status).toBe(200);
  }, 90_000);

  it('runs a command in butterfly, a terminal over WebSocket, as a named app (prefix kept); refuses its WebSocket to others', async () => {
    const page = await visit('term/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Butterfly</title>');
    await butterflyEcho(hub.port, '/user/alice/w/apps/term/', { token: alice });
    expect(await openWs(hub.port, '/user/alice/w/apps/term/ws/session/x', {})).toBe(401);
    expect(await openWs(hub.port, '/user/alice/w/apps/term/ws/session/x', { token: bob })).toBe(403);
  }, 90_000);

  it('keeps an app stopped from the console stopped against its open pages (fetches, WebSockets); opening its page starts it', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/w/apps/term', { method: 'DELETE', token: alice })).status).toBe(204);
    // What a tab left open sends: its polling (fetch: Sec-Fetch-Mode cors, even asking for HTML) and its WebSocket reconnecting.
    for (const headers of [{}, { accept: 'text/html' }] as Array<Record<string, string>>) {
      const r = await hub.api('/user/alice/w/apps/term/', { token: alice, headers });
      expect(r.status).toBe(503);
      const { message } = (await r.json()) as { message: string };
      expect(message).toContain('was stopped on purpose');
      expect(message).toContain('open /user/alice/w/apps/term/ in the browser');
    }
    expect(await openWs(hub.port, '/user/alice/w/apps/term/ws/session/x', { token: alice })).toBe(503);
    expect(await appOf('term')).toMatchObject({ state: 'stopped', message: expect.stringContaining('opening it or Start does') });
    expect(runtimeProcesses(hub).some((p) => p.app === 'term')).toBe(false);

    // A person opens it again (a top-level navigation): it starts, and its page's traffic is served again.
    const page = await navigate(hub.port, '/user/alice/w/apps/term/', alice);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Butterfly</title>');
    expect(await appOf('term')).toMatchObject({ state: 'running', message: null });
    await butterflyEcho(hub.port, '/user/alice/w/apps/term/', { token: alice });

    // The console's Start does the same.
    expect((await hub.api('/hub/api/users/alice/servers/w/apps/term', { method: 'DELETE', token: alice })).status).toBe(204);
    expect((await visit('term/')).status).toBe(503);
    expect([201, 202]).toContain((await hub.api('/hub/api/users/alice/servers/w/apps/term', { method: 'POST', token: alice })).status);
    await expect.poll(async () => (await visit('term/')).status, { timeout: 30_000 }).toBe(200);
  }, 90_000);

  it('starts an app killed by SIGKILL again; the hub lists its process among the runtime’s', async () => {
    const list = (await (await hub.api('/hub/api/users/alice/servers/w/processes', { token: alice })).json()) as { processes: Array<{ pid: number; command: string }> };
    const app = list.processes.find((p) => p.command.includes('named-app.py hello'));
    expect(app, JSON.stringify(list)).toBeDefined();
    const before = await (await visit('hello/')).text();
    expect(before).toContain(`pid=${app?.pid}`);
    process.kill(app?.pid as number, 'SIGKILL');
    await expect.poll(async () => (await appOf('hello'))?.restarts, { timeout: 15_000 }).toBe(1);
    await expect.poll(async () => (await appOf('hello'))?.state, { timeout: 15_000 }).toBe('running');
    const after = await visit('hello/');
    expect(after.status).toBe(200);
    const text = await after.text();
    expect(text).toMatch(/^hello from hello pid=\d+/);
    expect(text).not.toContain(`pid=${app?.pid} `);
  });

  it('says why an app failed, with its output, on a visit and in the API', async () => {
    const visited = await visit('broken/');
    expect(visited.status).toBe(503);
    expect(await visited.text()).toContain('cannot read /nonexistent/broken.toml');
    const r = await hub.api('/hub/api/users/alice/servers/w/apps/broken', { method: 'POST', token: alice });
    expect(r.status).toBe(503);
    const body = (await r.json()) as { message: string };
    expect(body.message).toContain('exited with status 3 before it was ready');
    expect(body.message).toContain('cannot read /nonexistent/broken.toml');
    expect(await appOf('broken')).toMatchObject({ state: 'failed', message: expect.stringContaining('cannot read /nonexistent/broken.toml') });
  });

  it('answers 404 naming an unknown app, and refuses another user', async () => {
    const r = await hub.api('/hub/api/users/alice/servers/w/apps/nope', { method: 'POST', token: alice });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { message: string }).message).toContain("No app named 'nope'");
    expect((await visit('nope/')).status).toBe(404);
    const bad = await hub.api('/hub/api/users/alice/servers/w/apps/Not_An_App', { method: 'POST', token: alice });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/params field app/);
    const doc = (await (await hub.api('/hub/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/hub/api/users/{name}/servers/{server}/apps/{app}'] ?? {}).sort()).toEqual(['delete', 'post']);
    expect(doc.paths).toHaveProperty(['/hub/api/users/{name}/server/apps']);

    const theirs = await visit('hello/', bob);
    expect([403, 404]).toContain(theirs.status);
    expect(await theirs.text()).not.toContain('hello from hello');
    expect((await hub.api('/hub/api/users/alice/servers/w/apps', { token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/users/alice/servers/w/apps/hello', { method: 'DELETE', token: bob })).status).toBe(404);
    expect((await appOf('hello'))?.state).toBe('running');
  });

  it('adopts a running app after the hub is killed and restarted', async () => {
    const before = await (await visit('hello/')).text();
    await hub.kill('SIGKILL');
    await hub.restart();
    await expect.poll(async () => (await appOf('hello'))?.state, { timeout: 15_000 }).toBe('running');
    expect((await (await visit('hello/')).text()).split(' ')[3]).toBe(before.split(' ')[3]);
  });

  it('stops an app on request, and every app with the runtime', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/w/apps/board', { method: 'DELETE', token: alice })).status).toBe(204);
    expect((await appOf('board'))?.state).toBe('stopped');
    expect(runtimeProcesses(hub).some((p) => p.app === 'board')).toBe(false);
    expect(runtimeProcesses(hub).some((p) => p.app === 'hello')).toBe(true);

    const r = await hub.api('/hub/api/users/alice/servers/w', { method: 'DELETE', token: alice });
    expect([202, 204]).toContain(r.status);
    await expect.poll(() => runtimeProcesses(hub), { timeout: 20_000 }).toEqual([]);
    const after = await hub.api('/hub/api/users/alice/servers/w/apps', { token: alice });
    expect(after.status).toBe(409);
    expect(((await after.json()) as { message: string }).message).toBe("alice's server w is not running");
  });

  it('stops the apps of a runtime that died by itself', async () => {
    const r = await hub.api('/hub/api/users/alice/servers/w', { method: 'POST', token: alice, body: { profile: 'apps' } });
    expect([201, 202]).toContain(r.status);
    await expect.poll(async () => (await visit('hello/')).status, { timeout: 20_000 }).toBe(200);
    const root = runtimeProcesses(hub).find((p) => p.app === null);
    expect(runtimeProcesses(hub).some((p) => p.app === 'hello')).toBe(true);
    process.kill(root?.pid as number, 'SIGKILL');
    await expect.poll(() => runtimeProcesses(hub), { timeout: 20_000 }).toEqual([]);
    expect((await hub.api('/hub/api/users/alice/servers/w/apps', { token: alice })).status).toBe(409);
  });
});
