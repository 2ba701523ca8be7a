/**
 * Nothing becomes unreachable (issue 17, item 5), in a real Chromium against a real hub (built: `npm run
 * build`) with a real Jupyter server: a named server runs a cell and is deleted; the usage page still links to
 * it, and its page shows its history (ending with the deletion), its executions and its usage, marked deleted.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions, run } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOWN = { timeout: 30_000 };

let hub: TestHub;
let browser: Browser;
let page: Page;
let token: string;
let executionId = '';

beforeAll(async () => {
  hub = await startTestHub({ config: 'monitoring:\n  interval_seconds: 1\n' });
  token = hub.addUser('alice', { password: 'alice-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe("a deleted server's page", { timeout: 90_000 }, () => {
  it('keeps its history in the API after it ran a cell and was deleted, ended by the deletion and who asked for it', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/lab', { method: 'POST', token, body: { analysis: 'weekly', gpu: false } })).status).toBe(201);
    const jupyter = managers(jupyterSettings(hub.url, '/user/alice/lab/', token));
    try {
      const session = await jupyter.sessions.startNew({ path: 'report.ipynb', type: 'notebook', name: 'report.ipynb', kernel: { name: 'python3' } });
      expect((await run(session.kernel!, burn(1))).status).toBe('ok');
      executionId = (await endedExecutions(hub, 'user=alice&server=lab', token, 1))[0]?.id ?? '';
      // Its usage is stored (the monitor wrote samples past the cell) before the server goes.
      await expect
        .poll(async () => {
          const now = Math.floor(Date.now() / 1000);
          const r = (await (await hub.api(`/hub/api/usage?user=alice&server=lab&group_by=server&from=${now - 600}&to=${now + 10}&step=10`, { token })).json()) as { totals: Array<{ cpu_seconds: number }> };
          return r.totals[0]?.cpu_seconds ?? 0;
        }, SHOWN)
        .toBeGreaterThan(0.5);
    } finally {
      jupyter.dispose();
    }
    // While it is there, its page shows the options it was started with as fields (item 6).
    await page.goto(`${hub.url}/hub/login`);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/home$/);
    await page.goto(`${hub.url}/hub/servers/alice/lab`);
    await page.getByTestId('server-option').first().waitFor(SHOWN);
    const fields = await page.getByTestId('server-option').evaluateAll((els) => els.map((e) => `${e.previousElementSibling?.textContent}: ${e.textContent}`));
    expect(fields).toEqual(['Analysis: weekly', 'Gpu: no']);
    const gone = await hub.api('/hub/api/users/alice/servers/lab', { method: 'DELETE', token, body: { remove: true } });
    expect([202, 204]).toContain(gone.status);
    await expect
      // With stopped servers listed: the server stops before it is deleted, and a stopped one is not listed otherwise.
      .poll(async () => Object.keys(((await (await hub.api('/hub/api/users/alice?include_stopped_servers=1', { token })).json()) as { servers: object }).servers), SHOWN)
      .not.toContain('lab');

    const r = await hub.api('/hub/api/users/alice/servers/lab/history', { token });
    expect(r.status).toBe(200);
    const { events } = (await r.json()) as { events: Array<{ action: string; by: string | null }> };
    expect(events.map((e) => e.action)).toEqual(['delete', 'stop', 'start']);
    expect(events[0]?.by).toBe('alice');
  });

  it('is reached from the usage page, and shows its history, executions and usage, marked deleted', async () => {
    await page.goto(`${hub.url}/hub/usage`);
    const row = page.locator('[data-testid="usage-servers-row"][data-user="alice"][data-server="lab"]');
    await row.waitFor(SHOWN);
    await row.getByRole('link', { name: 'lab' }).click();
    await page.waitForURL(/\/hub\/servers\/alice\/lab$/);
    const main = page.locator('[data-testid="server-page"][data-deleted="true"]');
    await main.waitFor(SHOWN);
    expect(await page.getByTestId('server-deleted-badge').textContent()).toBe('deleted');
    expect(await page.getByTestId('server-deleted').textContent()).toMatch(/^Deleted .* by alice, with its files and logs\./);
    // Its starts and stops, and the deletion, newest first.
    await expect.poll(() => page.getByTestId('history-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))), SHOWN).toEqual(['delete', 'stop', 'start']);
    expect(await page.getByTestId('history-event').first().locator('td').nth(1).textContent()).toBe('Deleted');
    // The profile it ran, by what it runs (JupyterLab 4.x.y where scripts/install-deps.sh installed it), not by its key.
    const { profiles } = (await (await hub.api('/hub/api/profiles', { token })).json()) as { profiles: Array<{ name: string; display_name: string }> };
    const runs = profiles.find((x) => x.name === 'default')?.display_name;
    expect(runs).toBeTruthy();
    expect(await page.getByTestId('history-profile').allTextContents()).toEqual([runs, runs, runs]);
    expect(await page.getByTestId('server-profile').textContent()).toBe(runs);
    // The cell it ran, with its cost.
    const exec = page.locator(`[data-testid="execution-row"][data-id="${executionId}"]`);
    await exec.waitFor(SHOWN);
    expect(await exec.getByTestId('execution-status').textContent()).toBe('ok');
    expect(await exec.getByTestId('execution-code').getAttribute('title')).toBe(burn(1));
    // What it used over its life: CPU above zero, a peak of memory.
    await page.getByTestId('deleted-usage-cpu').waitFor(SHOWN);
    expect(await page.getByTestId('deleted-usage-cpu').textContent()).not.toMatch(/^0(\.0+)?\b/);
    expect(await page.getByTestId('deleted-usage-memory').textContent()).toMatch(/[KMG]iB$/);
    await page.screenshot({ path: '/tmp/nbhub-shots/deleted-server.png', fullPage: true }).catch(() => undefined);
  });

  it('a server that never existed says so', async () => {
    await page.goto(`${hub.url}/hub/servers/alice/never`);
    await page.getByTestId('server-missing').waitFor(SHOWN);
    expect(await page.getByTestId('server-missing').textContent()).toContain('alice has no server named never');
  });
});
