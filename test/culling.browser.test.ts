/**
 * What the console says about culling, in a real Chromium against a real hub and Jupyter: the countdown
 * before an idle server is stopped, that activity removes it, why and when the server stopped, its
 * history, and the start button that brings it back.
 */
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// Warned 15 s before the stop, i.e. from 5 s of idleness.
const CONFIG = `
monitoring:
  interval_seconds: 2
culling:
  idle_timeout_seconds: 20
  every_seconds: 5
  warn_seconds: 15
`;
const WAIT = { timeout: 45_000 };

let hub: TestHub;
let browser: Browser;
let token: string;
let page: Page;
/** A second console whose computer clock is 10 minutes fast. */
let fast: Page;

const row = (p: Page, server: string): Locator => p.locator(`[data-testid="server-row"][data-server="${server}"]`);
const banners = (p: Page) => p.getByTestId('cull-banner');

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice', { password: 'alice-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
  await page.goto(`${hub.url}/hub/login`);
  await page.getByTestId('login-username').fill('alice');
  await page.getByTestId('login-password').fill('alice-secret');
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/hub\/home$/);
  const fastContext = await browser.newContext();
  await fastContext.clock.install({ time: Date.now() + 10 * 60_000 });
  fast = await fastContext.newPage();
  await fast.goto(`${hub.url}/hub/login`);
  await fast.getByTestId('login-username').fill('alice');
  await fast.getByTestId('login-password').fill('alice-secret');
  await fast.getByTestId('login-submit').click();
  await fast.waitForURL(/\/hub\/home$/);
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('culling in the console', { timeout: 120_000 }, () => {
  it('counts down before an idle server is stopped; activity, or "Keep it running", removes the warning', async () => {
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token })).status).toBe(201);
    await expect.poll(() => row(page, '').getByTestId('server-state').textContent(), WAIT).toBe('running');
    expect(await banners(page).count()).toBe(0);

    await banners(page).first().waitFor(WAIT);
    expect(await banners(page).first().textContent()).toMatch(/Server default will be stopped in 0:1\d unless it is used/);
    // A browser clock 10 minutes fast counts by the hub's clock all the same (by its own it would say 0:00).
    await banners(fast).first().waitFor(WAIT);
    expect(await fast.getByTestId('cull-countdown').first().textContent()).toMatch(/^0:(0[1-9]|1\d)$/);
    // Work in the server (a file saved through the proxy) is activity: the warning goes.
    const put = await hub.api('/user/alice/api/contents/notes.txt', { method: 'PUT', token, body: { type: 'file', format: 'text', content: 'x' } });
    expect(put.status).toBeLessThan(300);
    await banners(page).first().waitFor({ state: 'detached', timeout: 5_000 });

    await banners(page).first().waitFor(WAIT);
    await page.getByTestId('cull-keep').click();
    await banners(page).first().waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('shows that the server stopped because it was idle, when, and the history; Start brings it back', async () => {
    await expect.poll(() => row(page, '').getByTestId('server-state').textContent(), WAIT).toBe('stopped');
    expect(await row(page, '').getByTestId('server-stop-reason').textContent()).toMatch(/^Stopped after being idle (now|\d+ seconds? ago)$/);
    expect(await banners(page).count()).toBe(0);

    await row(page, '').getByTestId('server-name').click();
    await page.waitForURL(/\/hub\/servers\/alice\/$/);
    const events = page.getByTestId('history-event');
    await expect.poll(() => events.count(), WAIT).toBe(2);
    expect(await events.nth(0).getAttribute('data-action')).toBe('stop');
    expect(await events.nth(0).textContent()).toContain('idle');
    expect(await events.nth(0).textContent()).toContain('the culler');
    expect(await events.nth(1).textContent()).toContain('Started');
    expect(await events.nth(1).textContent()).toContain('alice');

    await page.getByTestId('server-start').click();
    // The start page follows the start and lands in the server; back to its page.
    await page.waitForURL(/\/user\/alice\//, WAIT);
    await page.goto(`${hub.url}/hub/servers/alice/`);
    await expect.poll(() => page.getByTestId('server-state').first().textContent(), WAIT).toBe('running');
    await expect.poll(() => events.count(), WAIT).toBe(3);
    expect(await page.getByTestId('server-cull-at').textContent()).toMatch(/if it stays idle/);
  });
});
