/**
 * The admin page for an institute, in a real Chromium against a real hub (built: `npm run build`): 500 users and
 * 100 named servers made through the API (a few running a light runtime, two failed, the rest stopped), then
 * search, sort, paging, filters, stop selected, stop all, edit user, tokens and a failure's details, in order on one
 * page. The users API's new query parameters are checked first, over HTTP.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const LIGHT = fileURLToPath(new URL('./helpers/light-runtime.py', import.meta.url));
const CONFIG = `
profiles:
  light:
    display_name: Light
    command: ["python3", "${LIGHT}", "{port}", "{base_url}", "{workspace}"]
  broken:
    display_name: Broken on purpose
    command: ["sh", "-c", "echo 'cannot find the dataset' >&2; exit 3"]
`;
const WAIT = { timeout: 30_000 };
const USERS = 500;
const SERVERS = 100;
const RUNNING = 4;
const FAILED = 2;

// u000 … u499; every fifth has one named server: the first few run, two fail, the rest were started and stopped.
const userName = (i: number) => `u${String(i).padStart(3, '0')}`;
const serverOwner = (i: number) => userName(i * (USERS / SERVERS));
const serverName = (i: number) => (i === SERVERS - 1 ? 'special-analysis' : `nb${i}`);

let hub: TestHub;
let root: string;
let browser: Browser;
let page: Page;

type ServerState = { nbhub: { state: string } };
const api = async <T,>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
  const r = await hub.api(path, { token: root, ...init, headers: { accept: 'application/jupyterhub-pagination+json' } });
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${r.status} ${await r.text()}`);
  return (r.status === 204 ? undefined : await r.json()) as T;
};
const serverState = async (user: string, server: string): Promise<string | undefined> =>
  (await api<{ servers: Record<string, ServerState> }>(`/hub/api/users/${user}?include_stopped_servers=1`)).servers[server]?.nbhub.state;
const userNames = (query: string) =>
  api<{ items: Array<{ name: string }>; _pagination: { total: number } }>(`/hub/api/users?${query}`).then((p) => ({
    names: p.items.map((u) => u.name),
    total: p._pagination.total,
  }));

/** Runs `fn` over `items`, `n` at a time: a bounded load on the shared machine. */
const inBatches = async <T,>(items: readonly T[], n: number, fn: (x: T) => Promise<void>) => {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map(fn));
};

const users = (p: Page): Locator => p.getByTestId('admin-user');
const userRow = (p: Page, name: string): Locator => p.locator(`[data-testid="admin-user"][data-user="${name}"]`);
const shownNames = (p: Page) => () => p.getByTestId('admin-user-name').allTextContents();

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  root = hub.addUser('root', { admin: true, password: 'root-secret' });
  const names = Array.from({ length: USERS }, (_, i) => userName(i));
  await api('/hub/api/users', { method: 'POST', body: { usernames: names } });
  const servers = Array.from({ length: SERVERS }, (_, i) => i);
  await inBatches(servers, 10, async (i) => {
    const path = `/hub/api/users/${serverOwner(i)}/servers/${serverName(i)}`;
    const broken = i >= RUNNING && i < RUNNING + FAILED;
    const r = await hub.api(path, { method: 'POST', token: root, body: { profile: broken ? 'broken' : 'light' } });
    // A broken one fails within the start request (500 "Spawn failed", as JupyterHub answers).
    if (r.status !== 201 && r.status !== 202 && !(broken && r.status === 500)) throw new Error(`start ${path}: ${r.status} ${await r.text()}`);
    // Started and stopped at once: a stopped server with its record, at the cost of a process that barely began.
    if (i >= RUNNING + FAILED) await api(path, { method: 'DELETE' });
  });
  const settled = async () => {
    const states = await Promise.all(servers.map((i) => serverState(serverOwner(i), serverName(i))));
    return states.filter((s) => s === 'running').length === RUNNING && states.filter((s) => s === 'failed').length === FAILED && !states.includes('stopping');
  };
  for (const until = Date.now() + 60_000; !(await settled()); ) {
    if (Date.now() > until) throw new Error(`servers did not settle:\n${hub.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('the users API for the admin page', () => {
  it('filters by name (name_filter, as JupyterHub), by user or server name (search), state failed and idleness, and sorts', async () => {
    expect(await userNames('name_filter=U12&sort=name')).toEqual({ names: Array.from({ length: 10 }, (_, i) => `u12${i}`), total: 10 });
    expect(await userNames('search=special')).toEqual({ names: [serverOwner(SERVERS - 1)], total: 1 });
    expect((await userNames('state=failed')).names.sort()).toEqual([serverOwner(RUNNING), serverOwner(RUNNING + 1)]);
    expect((await userNames('state=ready')).total).toBe(RUNNING);
    expect((await userNames('idle_for=0')).total).toBe(RUNNING);
    expect((await userNames('idle_for=86400')).total).toBe(0);
    expect((await userNames('sort=-name&limit=2')).names).toEqual(['u499', 'u498']);
    expect((await userNames('sort=state&limit=4')).names.sort()).toEqual([0, 1, 2, 3].map(serverOwner));
    expect(await userNames('offset=50&limit=50&sort=name')).toMatchObject({ total: USERS + 1 });
  });

  it('refuses bad input with a 400 that names what is wrong', async () => {
    const bad = async (query: string) => {
      const r = await hub.api(`/hub/api/users?${query}`, { token: root });
      return { status: r.status, message: ((await r.json()) as { message: string }).message };
    };
    expect(await bad('sort=cpu')).toEqual({ status: 400, message: expect.stringContaining('sort must be one of name, -name') as unknown });
    expect(await bad('idle_for=soon')).toMatchObject({ status: 400, message: expect.stringContaining('idle_for') as unknown });
    expect(await bad('state=broken')).toMatchObject({ status: 400, message: expect.stringContaining('state') as unknown });
    expect(await bad('search=' + 'x'.repeat(300))).toMatchObject({ status: 400, message: expect.stringContaining('search') as unknown });
  });

  it('edits a user through PATCH, refusing bad input with a 4xx that names it and changing nothing', async () => {
    const patch = async (name: string, body: unknown) => {
      const r = await hub.api(`/hub/api/users/${name}`, { method: 'PATCH', token: root, body });
      return { status: r.status, message: ((await r.json()) as { message?: string }).message ?? '' };
    };
    expect(await patch('u010', { admin: 'yes' })).toMatchObject({ status: 400, message: expect.stringContaining('admin') as unknown });
    expect(await patch('u010', { name: 'u011' })).toMatchObject({ status: 400, message: expect.stringContaining('u011 already exists') as unknown });
    expect(await patch('u010', { name: 'bad name!' })).toMatchObject({ status: 400, message: expect.stringContaining('name') as unknown });
    expect(await patch('u010', { nickname: 'x' })).toMatchObject({ status: 400, message: expect.stringContaining('nickname') as unknown });
    // A rename is refused while the user's server runs (its address has the name in it).
    expect((await patch(serverOwner(0), { name: 'moved' })).status).toBeGreaterThanOrEqual(400);
    expect((await patch('nobody', { admin: true })).status).toBe(404);
    expect((await api<{ admin: boolean; name: string }>('/hub/api/users/u010'))).toMatchObject({ name: 'u010', admin: false });
    // A password reset: the new one logs in.
    expect((await patch('u010', { password: 'a-new-secret-10' })).status).toBe(200);
    const login = await fetch(`${hub.url}/hub/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'u010', password: 'a-new-secret-10' }),
    });
    expect(login.status).toBe(200);
  });
});

// One page, steps in order, as an admin would go through them.
describe('the admin page with 500 users and 100 servers', { timeout: 90_000 }, () => {
  it('logs in and shows the first page of 50 users, with their servers and live columns', async () => {
    await page.goto(`${hub.url}/hub/admin`);
    await page.waitForURL(/\/hub\/login\?next=/);
    await page.getByTestId('login-username').fill('root');
    await page.getByTestId('login-password').fill('root-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/admin$/);
    await page.getByTestId('admin-table').waitFor(WAIT);
    expect(await users(page).count()).toBe(50);
    expect(await page.getByTestId('admin-range').textContent()).toBe(`1–50 of ${USERS + 1}`);
    expect((await shownNames(page)()).slice(0, 3)).toEqual(['root', 'u000', 'u001']);
    // u000's running server: a link to its page, and CPU and memory now (a figure, or "—" without one; never 0 by default).
    const srv = page.locator('[data-testid="server-row"][data-user="u000"][data-server="nb0"]');
    expect(await srv.getByTestId('server-state').textContent()).toBe('running');
    expect(await srv.getByTestId('server-name').getAttribute('href')).toBe('/hub/servers/u000/nb0');
    expect(await srv.getByTestId('admin-server-cpu').textContent()).toMatch(/^(—|[0-9.<]+ cores?)$/);
    expect(await srv.getByTestId('admin-server-memory').textContent()).toMatch(/^(—|[0-9.]+ [KMG]?i?B)$/);
    // GET /hub/api/live answers within seconds: a running server then shows real figures, and its user the sums.
    await expect.poll(async () => srv.getByTestId('admin-server-memory').textContent(), { timeout: 20_000 }).toMatch(/^[0-9.]+ [KMG]i?B$/);
    await expect.poll(async () => srv.getByTestId('admin-server-cpu').textContent(), { timeout: 20_000 }).toMatch(/^[0-9.<]+ cores?$/);
    await expect.poll(async () => userRow(page, 'u000').getByTestId('admin-user-memory').textContent(), { timeout: 20_000 }).toMatch(/^[0-9.]+ [KMG]i?B$/);
    // Users without servers have their own row.
    expect(await userRow(page, 'u001').getByTestId('admin-user-summary').textContent()).toBe('no servers');
    await page.screenshot({ path: '/tmp/nbhub-shots/admin-page.png', fullPage: false });
  });

  it('pages through the users', async () => {
    await page.getByTestId('admin-next').click();
    await expect.poll(() => page.getByTestId('admin-range').textContent(), WAIT).toBe(`51–100 of ${USERS + 1}`);
    await expect.poll(async () => (await shownNames(page)())[0], WAIT).toBe('u049');
    expect(await users(page).count()).toBe(50);
    await page.getByTestId('admin-prev').click();
    await expect.poll(async () => (await shownNames(page)())[0], WAIT).toBe('root');
  });

  it('searches by user name and by server name', async () => {
    await page.getByTestId('admin-search').fill('u123');
    await expect.poll(shownNames(page), WAIT).toEqual(['u123']);
    await page.getByTestId('admin-search').fill('special');
    await expect.poll(shownNames(page), WAIT).toEqual([serverOwner(SERVERS - 1)]);
    await page.getByTestId('admin-search').fill('');
    await expect.poll(async () => (await shownNames(page)()).length, WAIT).toBe(50);
  });

  it('sorts by name backwards, by state (running first) and by CPU now', async () => {
    await page.getByTestId('admin-sort').selectOption('-name');
    await expect.poll(async () => (await shownNames(page)()).slice(0, 2), WAIT).toEqual(['u499', 'u498']);
    await page.getByTestId('admin-sort').selectOption('state');
    await expect.poll(async () => (await shownNames(page)()).slice(0, RUNNING).sort(), WAIT).toEqual([0, 1, 2, 3].map(serverOwner));
    // CPU now is a reading: sorted over every user with a server running (the only ones with a figure), not one page.
    await page.getByTestId('admin-sort').selectOption('cpu');
    await expect.poll(async () => (await shownNames(page)()).sort(), WAIT).toEqual([0, 1, 2, 3].map(serverOwner));
    expect(await page.getByTestId('admin-range').textContent()).toBe(`1–${RUNNING} of ${RUNNING}`);
    await page.getByTestId('admin-sort').selectOption('name');
  });

  it("shows a failed server's details only when asked, and dismisses them", async () => {
    await page.getByTestId('admin-filter').selectOption('failed');
    await expect.poll(async () => (await shownNames(page)()).sort(), WAIT).toEqual([serverOwner(RUNNING), serverOwner(RUNNING + 1)]);
    const failed = userRow(page, serverOwner(RUNNING));
    expect(await failed.getByTestId('server-state').textContent()).toBe('failed');
    expect(await page.getByTestId('server-failure').count()).toBe(0);
    await failed.getByTestId('server-failure-toggle').click();
    expect(await failed.getByTestId('server-message').textContent()).toContain('exited with status 3');
    // The admin is told where the profile's settings are; the runtime's output stays folded.
    expect(await failed.getByTestId('server-failure-hint').textContent()).toContain('profiles.broken');
    expect(await failed.getByTestId('server-log').isVisible()).toBe(false);
    await failed.getByTestId('server-failure-dismiss').click();
    expect(await page.getByTestId('server-failure').count()).toBe(0);
  });

  it('filters running and idle servers', async () => {
    await page.getByTestId('admin-filter').selectOption('running');
    await expect.poll(async () => (await shownNames(page)()).sort(), WAIT).toEqual([0, 1, 2, 3].map(serverOwner));
    await page.getByTestId('admin-filter').selectOption('idle');
    await page.getByTestId('admin-idle-unit').selectOption('hours');
    // Just started: none idle for an hour.
    await page.getByTestId('admin-empty').waitFor(WAIT);
    expect(await users(page).count()).toBe(0);
    await page.getByTestId('admin-filter').selectOption('running');
    await expect.poll(async () => (await shownNames(page)()).length, WAIT).toBe(RUNNING);
  });

  it('stops the selected servers', async () => {
    for (const i of [0, 1]) await page.locator(`[data-testid="server-row"][data-user="${serverOwner(i)}"]`).getByTestId('admin-select').check();
    expect(await page.getByTestId('admin-stop-selected').textContent()).toBe('Stop selected (2)');
    await page.getByTestId('admin-stop-selected').click();
    await expect.poll(() => Promise.all([0, 1].map((i) => serverState(serverOwner(i), serverName(i)))), WAIT).toEqual(['stopped', 'stopped']);
    expect(await serverState(serverOwner(2), serverName(2))).toBe('running');
    await expect.poll(async () => (await shownNames(page)()).sort(), WAIT).toEqual([2, 3].map(serverOwner));
  });

  it('asks before stopping all, with the count, and stops nothing when cancelled', async () => {
    await page.getByTestId('admin-stop-all').click();
    await expect.poll(() => page.getByTestId('admin-stop-all-question').textContent(), WAIT).toContain('Stop all 2 running servers?');
    await page.getByTestId('admin-stop-all-cancel').click();
    expect(await serverState(serverOwner(2), serverName(2))).toBe('running');
    await page.getByTestId('admin-stop-all').click();
    await page.getByTestId('admin-stop-all-confirm').click();
    await expect.poll(() => Promise.all([2, 3].map((i) => serverState(serverOwner(i), serverName(i)))), WAIT).toEqual(['stopped', 'stopped']);
    await page.getByTestId('admin-empty').waitFor(WAIT);
    await page.getByTestId('admin-filter').selectOption('all');
  });

  it('edits a user: the admin flag, then a rename', async () => {
    await page.getByTestId('admin-search').fill('u007');
    await expect.poll(shownNames(page), WAIT).toEqual(['u007']);
    const u = userRow(page, 'u007');
    await u.getByTestId('admin-user-edit').click();
    await u.getByTestId('admin-edit-admin').check();
    await u.getByTestId('admin-edit-save').click();
    await expect.poll(async () => (await api<{ admin: boolean }>('/hub/api/users/u007')).admin, WAIT).toBe(true);
    await expect.poll(() => u.locator('.badge-admin').count(), WAIT).toBe(1);

    await u.getByTestId('admin-user-edit').click();
    await u.getByTestId('admin-edit-name').fill('u007-renamed');
    await u.getByTestId('admin-edit-save').click();
    await expect.poll(async () => (await hub.api('/hub/api/users/u007-renamed', { token: root })).status, WAIT).toBe(200);
    await expect.poll(shownNames(page), WAIT).toEqual(['u007-renamed']);
  });

  it("lists a user's tokens and revokes one", async () => {
    const made = await api<{ id: string; token: string }>('/hub/api/users/u008/tokens', { method: 'POST', body: { note: 'nightly export' } });
    await page.getByTestId('admin-search').fill('u008');
    await expect.poll(shownNames(page), WAIT).toEqual(['u008']);
    await userRow(page, 'u008').getByTestId('admin-user-tokens').click();
    const row = page.locator(`[data-testid="admin-token"][data-token="${made.id}"]`);
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('nightly export');
    await row.getByTestId('admin-token-revoke').click();
    await row.getByTestId('admin-token-revoke-confirm').click();
    await row.waitFor({ state: 'detached', ...WAIT });
    // The token no longer opens the API.
    expect([401, 403]).toContain((await hub.api('/hub/api/user', { token: made.token })).status);
  });
});
