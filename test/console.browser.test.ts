/**
 * The console in a real Chromium against a real hub (built: `npm run build`) running real Jupyter servers.
 * Steps share one hub and one logged-in page, in order, as a user would go through them.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const START = { timeout: 60_000 };

// A profile whose runtime dies at once, to see what the console says about a failure.
const CONFIG = `
profiles:
  broken:
    display_name: Broken on purpose
    command: ["sh", "-c", "echo 'cannot find the dataset' >&2; exit 3"]
# Services the home page lists (display and a URL) or not (hidden; token-only). Nothing listens: only links.
services:
  - { name: board, url: "http://127.0.0.1:9" }
  - { name: hidden, url: "http://127.0.0.1:9", display: false }
  - { name: robot, api_token: robot-token-0123456789abcdef }
`;

let hub: TestHub;
let browser: Browser;
let aliceToken: string;
let alice: BrowserContext;
let page: Page;

const row = (p: Page, server: string, user?: string): Locator =>
  p.locator(`[data-testid="server-row"][data-server="${server}"]${user ? `[data-user="${user}"]` : ''}`);
const stateOf = (r: Locator) => () => r.getByTestId('server-state').textContent();

const logIn = async (p: Page, username: string, password: string): Promise<void> => {
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill(password);
  await p.getByTestId('login-submit').click();
};

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  aliceToken = hub.addUser('alice', { password: 'alice-secret' });
  hub.addUser('root', { admin: true, password: 'root-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  alice = await browser.newContext();
  page = await alice.newPage();
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

// Each step may wait for a runtime to start (START); leave room for that beyond vitest's default.
describe('the console', { timeout: 150_000 }, () => {
  it('refuses a wrong password with a message, then logs in', async () => {
    await page.goto(`${hub.url}/hub/home`);
    // Not logged in: the console sends the visitor to its login form.
    await page.waitForURL(/\/hub\/login\?next=/);
    await logIn(page, 'alice', 'wrong-password');
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('Invalid username or password');

    await logIn(page, 'alice', 'alice-secret');
    await page.waitForURL(/\/hub\/home$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('My servers');
    expect(await page.getByTestId('current-user').textContent()).toBe('alice');
    // The default server is listed before it was ever started; alice is no admin.
    expect(await stateOf(row(page, ''))()).toBe('stopped');
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    // The services to open, as JupyterHub's home page lists them.
    const services = page.getByTestId('service-row');
    await expect.poll(() => services.allTextContents()).toEqual(['board']);
    expect(await services.getByRole('link').getAttribute('href')).toBe('/services/board/');
  });

  it('checks a new server name, then creates and starts the server', async () => {
    await page.getByTestId('new-server-name').fill('my analysis');
    await page.getByTestId('new-server-submit').click();
    await expect.poll(() => page.getByTestId('new-server-error').textContent()).toContain('Server names start with a letter or digit');
    expect(await row(page, 'my analysis').count()).toBe(0);

    await page.getByTestId('new-server-name').fill('nb1');
    await page.getByTestId('new-server-submit').click();
    await expect.poll(stateOf(row(page, 'nb1')), START).toBe('running');
    // Named after what the default profile runs (JupyterLab 4.x.y where scripts/install-deps.sh installed it).
    const { profiles } = (await (await hub.api('/hub/api/profiles', { token: aliceToken })).json()) as { profiles: Array<{ name: string; display_name: string }> };
    const runs = profiles.find((x) => x.name === 'default')?.display_name;
    expect(runs).toBeTruthy();
    expect(await row(page, 'nb1').getByTestId('server-profile').textContent()).toBe(runs);
  });

  it('opens the running server in a new tab: JupyterLab', async () => {
    const [tab] = await Promise.all([alice.waitForEvent('page'), row(page, 'nb1').getByTestId('server-open').click()]);
    await tab.waitForURL(/\/user\/alice\/nb1\/lab/, START);
    await tab.locator('.jp-LauncherCard').first().waitFor(START);
    expect(await tab.title()).toMatch(/JupyterLab/);
    await tab.close();
  });

  it('shows changes made elsewhere without a reload', async () => {
    // Alice's default server, started and stopped through the API while the page stays open.
    const started = await hub.api('/hub/api/users/alice/server', { method: 'POST', token: aliceToken, body: {} });
    expect([201, 202]).toContain(started.status);
    await expect.poll(stateOf(row(page, '')), START).toBe('running');
    const stopped = await hub.api('/hub/api/users/alice/server', { method: 'DELETE', token: aliceToken });
    expect([202, 204]).toContain(stopped.status);
    await expect.poll(stateOf(row(page, '')), START).toBe('stopped');
  });

  it("lets an admin see and stop another user's server, add a user and delete one", async () => {
    const admin = await browser.newContext();
    try {
      const p = await admin.newPage();
      await p.goto(`${hub.url}/hub/login`);
      await logIn(p, 'root', 'root-secret');
      await p.getByTestId('nav-admin').click();
      await p.waitForURL(/\/hub\/admin$/);
      const nb1 = row(p, 'nb1', 'alice');
      await expect.poll(stateOf(nb1), START).toBe('running');
      expect(await nb1.getByTestId('server-open').getAttribute('href')).toBe('/user/alice/nb1/');

      await nb1.getByTestId('server-stop').click();
      await expect.poll(stateOf(nb1), START).toBe('stopped');
      // Alice's own page learns it too, and why.
      await expect.poll(stateOf(row(page, 'nb1')), START).toBe('stopped');
      expect(await row(page, 'nb1').textContent()).toContain('Stopped by an admin');

      await p.getByTestId('add-user-name').fill('bob');
      await p.getByTestId('add-user-password').fill('bob-secret');
      await p.getByTestId('add-user-submit').click();
      const bob = p.locator('[data-testid="admin-user"][data-user="bob"]');
      await bob.waitFor();
      const login = await fetch(`${hub.url}/hub/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'bob-secret' }),
      });
      expect(login.status).toBe(200);

      await bob.getByTestId('admin-user-delete').click();
      await bob.getByTestId('admin-user-delete-confirm').click();
      await bob.waitFor({ state: 'detached' });
      expect(await p.locator('[data-testid="admin-user"][data-user="alice"]').count()).toBe(1);
    } finally {
      await admin.close();
    }
  });

  it('starts the server again, stops it, then deletes it', async () => {
    const nb1 = row(page, 'nb1');
    await nb1.getByTestId('server-start').click();
    // The start page follows the start and lands in the server (JupyterLab); back to the list.
    await page.waitForURL(/\/user\/alice\/nb1\//, START);
    await page.goto(`${hub.url}/hub/home`);
    await expect.poll(stateOf(nb1), START).toBe('running');
    await nb1.getByTestId('server-stop').click();
    await expect.poll(stateOf(nb1), START).toBe('stopped');
    expect(await nb1.getByTestId('server-open').count()).toBe(0);

    await nb1.getByTestId('server-start').click();
    // The start page follows the start and lands in the server (JupyterLab); back to the list.
    await page.waitForURL(/\/user\/alice\/nb1\//, START);
    await page.goto(`${hub.url}/hub/home`);
    await expect.poll(stateOf(nb1), START).toBe('running');
    await nb1.getByTestId('server-delete').click();
    await nb1.getByTestId('server-delete-confirm').click();
    await nb1.waitFor({ state: 'detached', timeout: START.timeout });
    // Gone for good, not only from this page.
    await page.reload();
    await row(page, '').waitFor();
    expect(await row(page, 'nb1').count()).toBe(0);
  });

  it('says why a server failed: message, exit status and its last output', async () => {
    await page.getByTestId('new-server-name').fill('broken1');
    await page.getByTestId('new-server-profile').selectOption('broken');
    await page.getByTestId('new-server-submit').click();
    const broken = row(page, 'broken1');
    await expect.poll(stateOf(broken), START).toBe('failed');
    expect(await broken.getByTestId('server-message').textContent()).toContain('exited with status 3');
    expect(await broken.getByTestId('server-exit-status').textContent()).toBe('Exit status: 3');
    expect(await broken.getByTestId('server-log').textContent()).toContain('cannot find the dataset');
  });

  it('logs out; logging in again returns to the page that asked for it', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/hub\/login$/);
    // The proxy sends a visitor without a session to the login form, which sends them back after.
    await page.goto(`${hub.url}/user/alice/`);
    await page.waitForURL(/\/hub\/login\?next=%2Fuser%2Falice%2F$/);
    await logIn(page, 'alice', 'alice-secret');
    await page.waitForURL(/\/user\/alice\/$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("alice's server is not running");
  });

  it("starts a stopped server from the page shown at its address, and lands in it", async () => {
    await page.getByRole('button', { name: 'Start it' }).click();
    // JupyterLab redirects /user/alice/ to /user/alice/lab.
    await page.waitForURL(/\/user\/alice\/lab/, START);
    await page.locator('.jp-LauncherCard').first().waitFor(START);
    const model = (await (await hub.api('/hub/api/users/alice', { token: aliceToken })).json()) as { servers: Record<string, { ready: boolean }> };
    expect(model.servers['']?.ready).toBe(true);
  });
});
