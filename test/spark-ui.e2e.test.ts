/**
 * A Spark cluster's UIs behind the hub's login (issue 19), with a real Spark (pyspark 4.x: scripts/install-deps.sh
 * --spark) and a real hub (built: `npm run build`): an admin creates and starts a cluster of 2 workers through the
 * API; through /clusters/{name}/ its owner sees the master's page listing both workers ALIVE, follows the page's link
 * to a worker's page, gets Spark's static files, with a cookie and with a token; a user it is shared with gets in too,
 * another user gets 403, a browser without login is sent to log in; a cross-origin cookie POST is refused while a
 * same-origin one reaches Spark; a stopped cluster answers 503 naming its state.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { clusterProcesses, sparkHome, sparkPackage, startCluster, waitForCluster } from './helpers/spark.js';

const NAME = 'ui';
const installed = existsSync(join(sparkPackage(), 'bin', 'spark-class'));

describe.skipIf(!installed)(`a Spark cluster's UIs through the hub${installed ? '' : ' (skipped: Spark is not installed; scripts/install-deps.sh --spark)'}`, { timeout: 300_000 }, () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  let carol: string;
  let cookie: string;

  const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${hub.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };
  const page = (path: string, init: { token?: string; headers?: Record<string, string>; method?: string } = {}) =>
    fetch(hub.url + path, { method: init.method ?? 'GET', redirect: 'manual', headers: { ...(init.token ? { authorization: `token ${init.token}` } : {}), ...init.headers } });

  beforeAll(async () => {
    hub = await startTestHub({ config: `spark:\n  home: ${JSON.stringify(sparkHome())}\n` });
    admin = hub.addUser('root', { admin: true });
    alice = hub.addUser('alice', { password: 'alice-password' });
    bob = hub.addUser('bob');
    carol = hub.addUser('carol');
    // Through the API, as an admin: alice owns it, bob may use it, carol may not.
    await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 1, worker_memory: '512m', owner: 'alice', users: ['bob'] });
    const login = await hub.api('/hub/login', { method: 'POST', body: { username: 'alice', password: 'alice-password' } });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 180_000);

  afterAll(async () => {
    await hub?.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token: admin }).catch(() => undefined);
    await hub?.dispose();
    expect(clusterProcesses(NAME)).toEqual([]);
  }, 60_000);

  it("shows the master's page with both workers ALIVE to the owner, with a cookie and with a token", async () => {
    // Workers register a moment after the master answers: the page lists both once they have.
    const html = await until('both workers on the master page', async () => {
      const r = await page(`/clusters/${NAME}/`, { headers: { cookie } });
      const text = await r.text();
      return r.status === 200 && (text.match(/<td>ALIVE<\/td>/g) ?? []).length === 2 ? text : undefined;
    });
    expect(html).toContain('Spark Master at spark://127.0.0.1');
    expect(html).toContain('<a>Workers (2)</a>');
    const token = await page(`/clusters/${NAME}/`, { token: alice });
    expect(token.status).toBe(200);
    expect(await token.text()).toContain('Spark Master at');
    // /clusters/{name} goes to its slash.
    const bare = await page(`/clusters/${NAME}`, { token: alice });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe(`/clusters/${NAME}/`);
  });

  it("reaches a worker's page by the link the master's page gives, and Spark's static files", async () => {
    const html = await (await page(`/clusters/${NAME}/`, { token: alice })).text();
    const links = [...html.matchAll(/href="(\/clusters\/ui\/proxy\/worker-[^"]+)"/g)].map((m) => m[1] as string);
    expect(links.length).toBe(2);
    const worker = await page(links[0] as string, { headers: { cookie } });
    expect(worker.status).toBe(200);
    const text = await worker.text();
    expect(text).toContain('Spark Worker at 127.0.0.1');
    // The worker's own links stay under the prefix too.
    expect(text).toContain(`href="${links[0]}/logPage/`);
    const css = await page(`/clusters/${NAME}/static/webui.css`, { token: alice });
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    // Spark's own redirect (/json → /json/) stays under the prefix.
    const json = await page(`/clusters/${NAME}/json`, { token: alice });
    expect(json.headers.get('location')).toBe(`/clusters/${NAME}/json/`);
    const model = (await (await page(`/clusters/${NAME}/json/`, { token: alice })).json()) as { aliveworkers: number };
    expect(model.aliveworkers).toBe(2);
  });

  it('lets in a user it is shared with and admins; refuses another user (403) and a browser without login (to the login page)', async () => {
    expect((await page(`/clusters/${NAME}/`, { token: bob })).status).toBe(200);
    expect((await page(`/clusters/${NAME}/`, { token: admin })).status).toBe(200);
    const other = await page(`/clusters/${NAME}/`, { token: carol });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toContain(`Cluster ${NAME} is not shared with carol`);
    const anonymous = await page(`/clusters/${NAME}/`, { headers: { accept: 'text/html' } });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toBe(`/hub/login?next=${encodeURIComponent(`/clusters/${NAME}/`)}`);
    expect((await page(`/clusters/${NAME}/json/`)).status).toBe(401);
    expect((await page('/clusters/nope/', { token: admin })).status).toBe(404);
  });

  it("refuses a cross-origin cookie POST (a kill form on another site); a same-origin one reaches Spark's own check", async () => {
    const body = 'id=app-none&terminate=true';
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const foreign = await fetch(`${hub.url}/clusters/${NAME}/app/kill/`, { method: 'POST', body, redirect: 'manual', headers: { ...form, origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { message: string }).message).toBe('Cross-origin request from http://evil.example refused');
    // Same origin: the hub lets it through; Spark answers it (its CSRF token is missing here: its own refusal, in HTML).
    const own = await fetch(`${hub.url}/clusters/${NAME}/app/kill/`, { method: 'POST', body, redirect: 'manual', headers: { ...form, origin: hub.url } });
    expect(own.headers.get('content-type')).not.toContain('application/json');
    expect(await own.text()).toContain('CSRF');
  });

  it('answers 503 naming the state once the cluster is stopped', async () => {
    const stop = await hub.api(`/hub/api/clusters/${NAME}/stop`, { method: 'POST', token: admin });
    expect(stop.status, await stop.clone().text()).toBeLessThan(300);
    await waitForCluster(hub, admin, NAME, 'stopped');
    const r = await page(`/clusters/${NAME}/`, { token: alice });
    expect(r.status).toBe(503);
    expect(((await r.json()) as { message: string }).message).toBe(`Cluster ${NAME} is not running (stopped)`);
    const browser = await page(`/clusters/${NAME}/`, { token: alice, headers: { accept: 'text/html' } });
    expect(browser.status).toBe(503);
    expect(await browser.text()).toContain(`Cluster ${NAME} is not running (stopped)`);
  });
});
