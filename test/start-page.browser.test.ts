/**
 * The start page in a real Chromium against a real hub (built: `npm run build`): a runtime that is slow to start
 * (helpers/slow-runtime.py prints a line a second for 6 s before it listens) started from the console, one that
 * fails, and the server's own address while it starts. Steps share one hub and one logged-in page, in order.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const START = { timeout: 60_000 };
const SHOT = '/tmp/nbhub-shots/start-page.png';

const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));

// The default profile is the slow runtime, so the default server's Start on the home page starts it.
const CONFIG = `
profiles:
  default:
    display_name: Slow to start
    command: ["python3", "${helper('slow-runtime.py')}", "{port}", "{base_url}", "6", "{workspace}"]
  slower:
    display_name: Slower to start
    command: ["python3", "${helper('slow-runtime.py')}", "{port}", "{base_url}", "15", "{workspace}"]
  broken:
    display_name: Fails after loading
    command: ["python3", "${helper('slow-runtime.py')}", "{port}", "{base_url}", "2", "fail", "{workspace}"]
`;

let hub: TestHub;
let browser: Browser;
let page: Page;
let token: string;
/** Every document the page loaded (a reload or a server-side page change shows here; console pages change in place). */
const documents: string[] = [];

const row = (p: Page, server: string) => p.locator(`[data-testid="server-row"][data-server="${server}"]`);

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice', { password: 'alice-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext({ viewport: { width: 1100, height: 800 } })).newPage();
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents.push(new URL(r.url()).pathname);
  });
  await page.goto(`${hub.url}/hub/login`);
  await page.getByTestId('login-username').fill('alice');
  await page.getByTestId('login-password').fill('alice-secret');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/hub\/home$/);
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('the start page', { timeout: 120_000 }, () => {
  it("follows a slow start from the console's Start: the runtime's lines as they come, then the runtime itself", async () => {
    documents.length = 0;
    await row(page, '').getByTestId('server-start').click();
    await page.waitForURL(/\/hub\/spawn-pending\/alice\/$/);
    const lines = page.getByTestId('start-line');
    // At least two lines shown while the page is still the start page (the runtime is not listening yet).
    await expect.poll(() => lines.count(), START).toBeGreaterThanOrEqual(2);
    expect(page.url()).toContain('/hub/spawn-pending/alice/');
    expect(await lines.nth(0).textContent()).toBe('loading step 1 of 6');
    expect(await lines.nth(1).textContent()).toBe('loading step 2 of 6');
    const progress = Number(await page.getByTestId('start-progress').getAttribute('value'));
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(100);
    expect(await page.getByTestId('server-state').textContent()).toBe('starting');
    // The picture: a few lines in, still starting.
    await expect.poll(() => lines.count(), START).toBeGreaterThanOrEqual(3);
    if (page.url().includes('/hub/spawn-pending/')) await page.screenshot({ path: SHOT, fullPage: true });

    // Then, by itself, the runtime's own page.
    await page.waitForURL(/\/user\/alice\/$/, START);
    expect(await page.locator('h1').textContent()).toBe('slow runtime ready');
    // Nothing was reloaded: the console changed pages in place, then loaded the runtime once.
    expect(documents).toEqual(['/user/alice/']);
  });

  it('shows why a start failed, what the runtime printed, and offers to start again', async () => {
    const created = await hub.api('/hub/api/users/alice/servers/broken1', { method: 'POST', token, body: { profile: 'broken' } });
    expect([201, 202, 500]).toContain(created.status);
    await page.goto(`${hub.url}/hub/home`);
    const broken = row(page, 'broken1');
    await expect.poll(() => broken.getByTestId('server-state').textContent(), START).toBe('failed');

    await broken.getByTestId('server-start').click();
    await page.waitForURL(/\/hub\/spawn-pending\/alice\/broken1$/);
    const failed = page.getByTestId('start-failed');
    await failed.waitFor(START);
    expect(await page.getByTestId('start-failure').textContent()).toMatch(/^Spawn failed: .*status 3/);
    expect(await failed.getByTestId('server-exit-status').textContent()).toBe('Exit status: 3');
    expect(await failed.getByTestId('server-log').textContent()).toContain('cannot load the model');
    expect(await page.getByTestId('start-line').allTextContents()).toEqual(expect.arrayContaining(['loading step 1 of 2', 'loading step 2 of 2']));
    expect(await page.getByTestId('start-again').textContent()).toBe('Start again');
    expect(await page.getByTestId('server-state').textContent()).toBe('failed');
    expect(page.url()).toContain('/hub/spawn-pending/alice/broken1');
  });

  it("shows the start page at a starting server's own address, then lands where that address pointed", async () => {
    const started = await hub.api('/hub/api/users/alice/servers/later', { method: 'POST', token, body: {}, headers: { prefer: 'respond-async' } });
    expect(started.status).toBe(202);
    await page.goto(`${hub.url}/user/alice/later/some/notebook`);
    await page.waitForURL(/\/hub\/spawn-pending\/alice\/later\?next=/);
    await page.getByTestId('start-page').waitFor();
    await expect.poll(() => page.getByTestId('start-line').count(), START).toBeGreaterThanOrEqual(1);
    await page.waitForURL(/\/user\/alice\/later\/some\/notebook$/, START);
    expect(await page.locator('h1').textContent()).toBe('slow runtime ready');
  });

  it('says "starting" for a starting server on the home page and its own page', async () => {
    const started = await hub.api('/hub/api/users/alice/servers/third', { method: 'POST', token, body: { profile: 'slower' }, headers: { prefer: 'respond-async' } });
    expect(started.status).toBe(202);
    await page.goto(`${hub.url}/hub/home`);
    await expect.poll(() => row(page, 'third').getByTestId('server-state').textContent(), START).toBe('starting');
    await page.goto(`${hub.url}/hub/servers/alice/third`);
    await expect.poll(() => page.getByTestId('server-state').first().textContent(), START).toBe('starting');
    // From there, its start page, which lands in it.
    await page.getByTestId('server-follow-start').click();
    await page.waitForURL(/\/hub\/spawn-pending\/alice\/third$/);
    await page.waitForURL(/\/user\/alice\/third\/$/, START);
  });
});
