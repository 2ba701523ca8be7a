/**
 * Execution history in the console, in a real Chromium against a real hub (built: `npm run build`) with a real
 * Jupyter server: a server's executions newest first with status, duration, CPU and memory; one notebook's;
 * those of a moment picked on the CPU chart; interrupting a running one from its row.
 * Steps share one hub, one kernel and one logged-in page, in order.
 */
import type { Session } from '@jupyterlab/services';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions, listExecutions, run } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOWN = { timeout: 30_000 };

let hub: TestHub;
let browser: Browser;
let page: Page;
let token: string;
let jupyter: ReturnType<typeof managers>;
let first: Session.ISessionConnection;
let second: Session.ISessionConnection;

const rows = (p: Page): Locator => p.getByTestId('execution-row');
const statuses = (p: Page): Promise<Array<string | null>> => rows(p).evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
const ids = (p: Page): Promise<Array<string | null>> => rows(p).evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));

beforeAll(async () => {
  hub = await startTestHub({ config: 'monitoring:\n  interval_seconds: 1\n' });
  token = hub.addUser('alice', { password: 'alice-secret' });
  expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token })).status).toBe(201);
  jupyter = managers(jupyterSettings(hub.url, '/user/alice/', token));
  first = await jupyter.sessions.startNew({ path: 'first.ipynb', type: 'notebook', name: 'first.ipynb', kernel: { name: 'python3' } });
  second = await jupyter.sessions.startNew({ path: 'second.ipynb', type: 'notebook', name: 'second.ipynb', kernel: { name: 'python3' } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
});

afterAll(async () => {
  jupyter?.dispose();
  await browser?.close();
  await hub?.dispose();
});

describe('execution history in the console', { timeout: 150_000 }, () => {
  it("lists a server's executions newest first with status, duration, CPU and peak memory", async () => {
    await run(first.kernel!, 'x = 1');
    await run(first.kernel!, 'raise ValueError("no")');
    await run(first.kernel!, burn(1.5));
    await run(second.kernel!, 'y = 2');
    const api = await endedExecutions(hub, 'user=alice', token, 4);

    await page.goto(`${hub.url}/hub/login`);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/home$/);
    await page.goto(`${hub.url}/hub/servers/alice/`);
    await expect.poll(() => rows(page).count(), SHOWN).toBe(4);
    expect(await statuses(page)).toEqual(['ok', 'ok', 'error', 'ok']);
    expect(await ids(page)).toEqual(api.map((e) => e.id).reverse());
    const burnt = rows(page).nth(1);
    expect(await burnt.getByTestId('execution-code').getAttribute('title')).toBe(burn(1.5));
    const durationText = (await burnt.getByTestId('execution-duration').textContent()) ?? '';
    expect(durationText).toMatch(/^[\d.]+ s$/);
    expect(Number(durationText.split(' ')[0])).toBeGreaterThanOrEqual(1.5);
    // The figure the API gives, as the console writes it (three digits).
    const cpuText = (await burnt.getByTestId('execution-cpu').textContent()) ?? '';
    expect(cpuText).toMatch(/^[\d.]+ CPU-s$/);
    expect(Number(cpuText.split(' ')[0])).toBeCloseTo(api[2]?.cpu_seconds ?? NaN, 2);
    expect(await burnt.getByTestId('execution-memory').textContent()).toMatch(/MiB$/);
    // No Spark cluster behind this runtime: no Spark share, shown as no figure rather than 0.
    expect(await burnt.getByTestId('execution-spark-cpu').textContent()).toBe('—');
    expect(await rows(page).nth(2).textContent()).toContain('ValueError');
    // The per-notebook summary counts the runs and errors of each notebook.
    const summary = page.locator('[data-testid="notebook-summary-row"][data-notebook="first.ipynb"]');
    await summary.waitFor(SHOWN);
    expect(await summary.locator('td').nth(1).textContent()).toBe('3');
    expect(await summary.locator('td').nth(2).textContent()).toBe('1');
  });

  it("shows one notebook's executions from its name, and all again from the filter", async () => {
    await rows(page).first().getByTestId('execution-notebook').click(); // second.ipynb, the newest
    await page.waitForURL(/\?notebook=second\.ipynb$/);
    await expect.poll(() => rows(page).count(), SHOWN).toBe(1);
    expect(await page.getByTestId('filter-notebook').textContent()).toContain('second.ipynb');
    await page.getByTestId('filter-notebook').getByRole('button').click();
    await page.waitForURL(/\/hub\/servers\/alice\/$/);
    await expect.poll(() => rows(page).count(), SHOWN).toBe(4);
  });

  it('goes from a point on the CPU chart to the executions running then, and interrupts the running one from its row', async () => {
    const future = first.kernel!.requestExecute({ code: 'import time\ntime.sleep(120)' });
    const running = page.locator('[data-testid="execution-row"][data-status="running"]');
    await running.waitFor(SHOWN);
    const id = await running.getAttribute('data-id');
    // The chart's newest point is up to one poll (5 s) and one step (10 s) old: let it cover the running cell.
    await new Promise((r) => setTimeout(r, 16_000));

    const cpu = page.getByTestId('chart-cpu');
    await expect.poll(async () => Number(await cpu.getAttribute('data-points')), SHOWN).toBeGreaterThan(0);
    const over = cpu.locator('.u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('the chart has no plot area');
    // The newest points are at the right: a recent step, while the sleeping cell runs.
    await over.click({ position: { x: box.width - 3, y: box.height / 2 } });
    await page.waitForURL(/\?from=\d+&to=\d+$/);
    const url = new URL(page.url());
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    expect(to - from).toBe(10);
    await page.getByTestId('filter-window').waitFor(SHOWN);
    const expected = (await listExecutions(hub, `user=alice&server=&since=${from}&until=${to}`, token)).items.map((e) => e.id);
    expect(expected).toContain(id);
    await expect.poll(() => ids(page), SHOWN).toEqual(expected);

    await page.locator(`[data-testid="execution-row"][data-id="${id}"]`).getByTestId('execution-interrupt').click();
    const reply = await future.done.catch((e: unknown) => e);
    expect((reply as { content?: { status?: string } }).content?.status).toBe('error');
    await page.locator(`[data-testid="execution-row"][data-id="${id}"][data-status="interrupted"]`).waitFor(SHOWN);
    expect(await page.getByTestId('execution-error').count()).toBe(0);

    // Back to every execution.
    await page.getByTestId('filter-window').getByRole('button').click();
    await page.waitForURL(/\/hub\/servers\/alice\/$/);
    await expect.poll(() => rows(page).count(), SHOWN).toBe(5);
  });

  it('reads the summary again as soon as the list shows a cell ended, its totals the sums of the rows shown', async () => {
    const cpuOf = async (notebook: string) => {
      const text = (await page.locator(`[data-testid="notebook-summary-row"][data-notebook="${notebook}"]`).getByTestId('notebook-summary-cpu').textContent()) ?? '';
      return Number(text.split(' ')[0]);
    };
    const before = await cpuOf('first.ipynb');
    const burnt = Number((await run(first.kernel!, burn(2))).output);
    // Well before the summary's own 15 s poll: the list's next poll (3 s) shows the end, and the summary follows.
    await expect.poll(() => cpuOf('first.ipynb'), { timeout: 8_000, interval: 250 }).toBeGreaterThanOrEqual(before + burnt * 0.9);
    // Its total row is the sum of its rows as written (three significant digits each).
    const cells = await page.getByTestId('notebook-summary-cpu').allTextContents();
    const total = Number(((await page.getByTestId('notebook-summary-total-cpu').textContent()) ?? '').split(' ')[0]);
    const shown = cells.reduce((n, t) => n + Number(t.split(' ')[0]), 0);
    expect(Math.abs(total - shown)).toBeLessThanOrEqual(0.01 * Math.max(1, total));
  });
});
