/**
 * A named app from the console, in a real Chromium against a real hub (built: `npm run build`): log in, open the
 * server page, start Streamlit from its app list, open it in its tab and read what it rendered (over its
 * WebSocket, through the hub's proxy); stop it with its tab still open (it stays stopped), open it again.
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS_MISSING, appsBin, appsEnv } from './helpers/apps.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));
const env = appsEnv();

const CONFIG = (streamlit: string) => `
profiles:
  apps:
    command: ["python3", "${helper('light-runtime.py')}", "{port}", "{base_url}", "{workspace}"]
    apps:
      board:
        command: ["${streamlit}", "run", "${helper('streamlit-board.py')}", "--server.port", "{port}", "--server.address", "127.0.0.1",
                  "--server.headless", "true", "--server.baseUrlPath", "{base_url}", "--browser.gatherUsageStats", "false"]
        strip_prefix: false
        readiness_path: /_stcore/health
        timeout_seconds: 60
        title: Number board
`;

describe.skipIf(!env)(`a named app from the console (${env ? 'Streamlit' : APPS_MISSING})`, { timeout: 120_000 }, () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG(appsBin(env as string, 'streamlit')) });
    token = hub.addUser('alice', { password: 'alice-secret' });
    const r = await hub.api('/hub/api/users/alice/servers/w', { method: 'POST', token, body: { profile: 'apps' } });
    if (r.status !== 201 && r.status !== 202) throw new Error(`cannot start the server: ${r.status} ${await r.text()}`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await (await browser.newContext()).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    // The app's command line does not name the data dir (where the helper's cleanup looks): stop the runtime first.
    await hub?.api('/hub/api/users/alice/servers/w', { method: 'DELETE', token }).catch(() => undefined);
    await hub?.dispose();
  });

  it('starts the app from the server page and uses it in its own tab', async () => {
    await page.goto(`${hub.url}/hub/servers/alice/w`);
    await page.waitForURL(/\/hub\/login\?next=/);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/servers\/alice\/w$/);

    const app = page.locator('[data-testid="app-row"][data-app="board"]');
    await expect.poll(() => app.getByTestId('app-title').textContent(), { timeout: 30_000 }).toBe('Number board');
    expect(await app.getByTestId('app-state').textContent()).toBe('stopped');
    await app.getByTestId('app-start').click();
    await expect.poll(() => app.getByTestId('app-state').textContent(), { timeout: 60_000 }).toBe('running');

    const [tab] = await Promise.all([page.context().waitForEvent('page'), app.getByTestId('app-open').click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).pathname).toBe('/user/alice/w/apps/board/');
    // Rendered by Streamlit's frontend from what its server sends over the WebSocket.
    await expect.poll(() => tab.getByText('numbers from inside a runtime').count(), { timeout: 30_000 }).toBe(1);
    expect(await tab.getByRole('heading', { name: 'nbhub board' }).count()).toBe(1);

    // Stopped with its tab still open: the tab's reconnects and health checks do not start it again.
    await app.getByTestId('app-stop').click();
    await expect.poll(() => app.getByTestId('app-state').textContent(), { timeout: 15_000 }).toBe('stopped');
    const state = async () => ((await (await hub.api('/hub/api/users/alice/servers/w/apps', { token })).json()) as Array<{ name: string; state: string }>).find((a) => a.name === 'board')?.state;
    for (let i = 0; i < 5; i++) {
      await new Promise((ok) => setTimeout(ok, 1000));
      expect(await state(), `${i + 1} s after Stop`).toBe('stopped');
    }
    expect(tab.isClosed()).toBe(false);
    expect(await app.getByTestId('app-state').textContent()).toBe('stopped');

    // Opened again from the console (a page navigation): it starts, and renders in its new tab.
    const [again] = await Promise.all([page.context().waitForEvent('page'), app.getByTestId('app-open').click()]);
    await expect.poll(() => again.getByText('numbers from inside a runtime').count(), { timeout: 60_000 }).toBe(1);
    expect(await state()).toBe('running');
  });
});
