/**
 * Clusters from the console, in a real Chromium against a real hub (built: `npm run build`) and a real Spark
 * (pyspark 4.x: scripts/install-deps.sh --spark): an admin creates a cluster of 2 workers with the form, starts it,
 * sees it become running, opens its UI in its own tab (through /clusters/{name}/) and finds both workers there,
 * reads its processes' output on its page, then stops it from there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { clusterProcesses, sparkHome, sparkPackage } from './helpers/spark.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const NAME = 'console';
const installed = existsSync(join(sparkPackage(), 'bin', 'spark-class'));

describe.skipIf(!installed)(`clusters from the console${installed ? '' : ' (skipped: Spark is not installed; scripts/install-deps.sh --spark)'}`, { timeout: 300_000 }, () => {
  let hub: TestHub;
  let browser: Browser;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    hub = await startTestHub({ config: `spark:\n  home: ${JSON.stringify(sparkHome())}\n` });
    token = hub.addUser('root', { admin: true, password: 'root-secret' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await (await browser.newContext()).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.api(`/hub/api/clusters/${NAME}`, { method: 'DELETE', token }).catch(() => undefined);
    await hub?.dispose();
    expect(clusterProcesses(NAME)).toEqual([]);
  }, 60_000);

  it('creates, starts, opens and stops a cluster', async () => {
    await page.goto(`${hub.url}/hub/clusters`);
    await page.waitForURL(/\/hub\/login\?next=/);
    await page.getByTestId('login-username').fill('root');
    await page.getByTestId('login-password').fill('root-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/clusters$/);

    await page.getByTestId('cluster-form-name').fill(NAME);
    await page.getByTestId('cluster-form-workers').fill('2');
    await page.getByTestId('cluster-form-cores').fill('1');
    await page.getByTestId('cluster-form-memory').fill('512m');
    await page.getByTestId('cluster-form-submit').click();
    const row = page.locator(`[data-testid="cluster-row"][data-cluster="${NAME}"]`);
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.getByTestId('cluster-shape').textContent()).toBe('2 × 1 core, 512m');

    // Created stopped (or already starting, if the hub starts what it creates): start it unless it is on its way.
    const state = () => row.getByTestId('cluster-state').getAttribute('data-state');
    if ((await state()) === 'stopped') await row.getByTestId('cluster-start').click();
    await expect.poll(state, { timeout: 150_000, interval: 1000 }).toBe('running');

    const [tab] = await Promise.all([page.context().waitForEvent('page'), row.getByTestId('cluster-open').click()]);
    await tab.waitForLoadState();
    expect(new URL(tab.url()).pathname).toBe(`/clusters/${NAME}/`);
    // Workers register with the master a moment after it answers: reload until both are listed.
    await expect
      .poll(
        async () => {
          await tab.reload();
          return tab.locator('td', { hasText: /^ALIVE$/ }).count();
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBe(2);
    expect(await tab.title()).toContain('Spark Master at spark://127.0.0.1');
    // Spark's stylesheet came through the hub too (the page is styled, not bare HTML).
    const sheets = await tab.evaluate(() => Array.from({ length: document.styleSheets.length }, (_, i) => document.styleSheets.item(i)).map((s) => ({ href: s?.href ?? '', rules: s?.cssRules.length ?? 0 })));
    expect(sheets.some((s) => s.href.includes(`/clusters/${NAME}/static/`) && s.rules > 0), JSON.stringify(sheets)).toBe(true);

    // Its own page: the output of each of its processes, then stopped from there.
    await row.getByTestId('cluster-name').click();
    await page.waitForURL(new RegExp(`/hub/clusters/${NAME}$`));
    const detail = page.getByTestId('cluster-page');
    expect(await detail.getByTestId('cluster-state').getAttribute('data-state')).toBe('running');
    const logs = detail.getByTestId('log-panel');
    await expect.poll(() => logs.getByTestId('log-stream').locator('option').allTextContents(), { timeout: 15_000 }).toEqual(['master', 'worker-1', 'worker-2']);
    // The master's output, tailed live while the cluster runs.
    await expect.poll(() => logs.getByTestId('log-lines').textContent(), { timeout: 15_000 }).toContain('Master');
    await logs.getByTestId('log-stream').selectOption('process:worker-2');
    await expect.poll(() => logs.getByTestId('log-lines').textContent(), { timeout: 15_000 }).toContain('Worker');
    await detail.getByTestId('cluster-stop').click();
    await expect.poll(() => detail.getByTestId('cluster-state').getAttribute('data-state'), { timeout: 60_000, interval: 1000 }).toBe('stopped');
    expect(await detail.getByTestId('cluster-open').count()).toBe(0);
  });
});
