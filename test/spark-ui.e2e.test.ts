/**
 * A Spark cluster's UIs behind the hub's login (issue 19), with a real Spark (pyspark 4.x: scripts/install-deps.sh
 * --spark) and a real hub (built: `npm run build`): an admin creates and starts a cluster of 2 workers through the
 * API; through /clusters/{name}/ its owner sees the master's page listing both workers ALIVE, follows the page's link
 * to a worker's page, gets Spark's static files, with a cookie and with a token; a user it is shared with gets in too,
 * another user gets 403, a browser without login is sent to log in; a cross-origin cookie POST is refused while a
 * same-origin one reaches Spark; a running application's UI is reached through the master's reverse proxy and its
 * kill button (a POST form with Spark's CSRF token) kills it, Spark's redirects staying under the prefix; a stopped
 * cluster answers 503 naming its state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/spawners/local/ports.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { clusterProcesses, sparkHome, sparkPackage, startCluster, waitForCluster } from './helpers/spark.js';

const NAME = 'ui';
const APP = 'nbhub-ui-test';

/**
 * A PySpark driver in client mode that registers an application and lives until Spark stops its context (the kill).
 * It asks for executors of 1g on workers of 512m, so none is launched: the driver alone (and its UI) is enough.
 */
const DRIVER_PY = `
import time
from pyspark.sql import SparkSession
s = SparkSession.builder.appName("${APP}").getOrCreate()
deadline = time.time() + 150
while not s.sparkContext._jsc.sc().isStopped() and time.time() < deadline:
    time.sleep(0.5)
`;
const installed = existsSync(join(sparkPackage(), 'bin', 'spark-class'));

describe.skipIf(!installed)(`a Spark cluster's UIs through the hub${installed ? '' : ' (skipped: Spark is not installed; scripts/install-deps.sh --spark)'}`, { timeout: 300_000 }, () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;
  let bob: string;
  let carol: string;
  let cookie: string;
  let masterUrl: string;
  let driver: ChildProcess | undefined;
  const work = mkdtempSync(join(tmpdir(), 'nbhub-spark-ui-'));

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
    masterUrl = (await startCluster(hub, admin, { name: NAME, workers: 2, worker_cores: 1, worker_memory: '512m', owner: 'alice', users: ['bob'] })).master_url ?? '';
    const login = await hub.api('/hub/login', { method: 'POST', body: { username: 'alice', password: 'alice-password' } });
    cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }, 180_000);

  afterAll(async () => {
    if (driver && driver.exitCode === null && driver.signalCode === null) driver.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
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

  it("reaches a running application's UI through the master, and its kill button kills it", async () => {
    expect(masterUrl).toMatch(/^spark:\/\/127\.0\.0\.1:\d+$/);
    writeFileSync(join(work, 'driver.py'), DRIVER_PY);
    // Its UI on a port of its own, announced as 127.0.0.1 (not "localhost", which may reach another driver's UI on
    // ::1:4040), under the cluster's prefix as the master proxies it.
    const conf = ['spark.ui.reverseProxy=true', `spark.ui.reverseProxyUrl=/clusters/${NAME}`, `spark.ui.port=${await freePort()}`, 'spark.cores.max=1', 'spark.executor.memory=1g', 'spark.driver.memory=512m'];
    driver = spawn(join(sparkPackage(), 'bin', 'spark-submit'), ['--master', masterUrl, ...conf.flatMap((c) => ['--conf', c]), join(work, 'driver.py')], {
      cwd: work,
      stdio: 'ignore',
      env: { ...process.env, SPARK_HOME: sparkPackage(), PYTHONPATH: sparkHome(), SPARK_LOCAL_IP: '127.0.0.1', SPARK_LOCAL_HOSTNAME: '127.0.0.1', SPARK_CONF_DIR: work },
    });
    const exited = new Promise((ok) => driver?.once('exit', ok));
    type Master = { activeapps: Array<{ id: string; name: string; state: string }>; completedapps: Array<{ id: string; name: string; state: string }> };
    const master = async () => (await (await page(`/clusters/${NAME}/json/`, { token: alice })).json()) as Master;
    const appId = await until('the application on the master', async () => (await master()).activeapps.find((a) => a.name === APP)?.id, 120_000);

    // Its UI (the driver's) through the master's reverse proxy: Spark's absolute redirect stays under the prefix.
    const ui = `/clusters/${NAME}/proxy/${appId}`;
    // The driver binds its UI before it registers, but adds its pages a moment after: 404 until then.
    const first = await until('the application UI to answer', async () => {
      const r = await page(ui, { headers: { cookie } });
      return r.status === 404 ? undefined : r;
    });
    expect(first.status, `${first.headers.get('content-type')} ${await first.clone().text()}`).toBe(302);
    expect(first.headers.get('location')).toBe(`${ui}/jobs/`);
    const jobs = await until('the application UI', async () => {
      const r = await page(`${ui}/jobs/`, { headers: { cookie } });
      return r.status === 200 ? r.text() : undefined;
    });
    expect(jobs).toContain('Spark Jobs');
    expect(jobs).toContain(`href="${ui}/executors/"`);
    expect((await page(`${ui}/api/v1/applications/${appId}/jobs`, { token: alice })).status).toBe(200);

    // The master page's kill form for it, posted as the browser would from the hub's page.
    const html = await (await page(`/clusters/${NAME}/`, { headers: { cookie } })).text();
    const form = new RegExp(`<form action="([^"]+)" method="POST"[^]*?name="id" value="${appId}"[^]*?name="csrfToken" value="([^"]+)"`).exec(html);
    expect(form, 'a kill form for the application').not.toBeNull();
    const [, action, csrf] = form as RegExpExecArray;
    expect(action).toBe('app/kill/');
    const kill = await fetch(`${hub.url}/clusters/${NAME}/${action}`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ id: appId, terminate: 'true', csrfToken: csrf as string }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: hub.url },
    });
    expect(kill.status).toBe(302);
    expect(kill.headers.get('location')).toBe(`/clusters/${NAME}/`);
    const ended = await until('the application to end', async () => (await master()).completedapps.find((a) => a.id === appId));
    expect(ended.state).toBe('KILLED');
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 60_000))]);
    expect(driver.exitCode !== null || driver.signalCode !== null, 'the driver ended with its application').toBe(true);
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
