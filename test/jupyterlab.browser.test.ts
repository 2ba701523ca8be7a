/**
 * The real JupyterLab 4 UI in Chromium through the hub's proxy (built: `npm run build`; JupyterLab installed by
 * scripts/install-deps.sh). A user logs in to the console, sees what the default profile runs, starts the
 * server and opens it, creates a notebook from the launcher, runs a cell with Shift+Enter and sees its output;
 * the hub lists that execution with the notebook's path, the cell id JupyterLab sent, its status and CPU time.
 * Steps share one hub and one logged-in browser, in order. On a failure, a screenshot of the page goes into a
 * temporary folder named in the output, with what went wrong in the page (refused requests, script errors).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// JupyterLab loads megabytes of scripts and starts a kernel: slow on a busy 2-core machine.
const LOADED = { timeout: 120_000 };
const SHOWN = { timeout: 60_000 };

interface ProfileItem {
  name: string;
  display_name: string;
  default: boolean;
}

let hub: TestHub;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let lab: Page | undefined;
let token: string;
let shots: string | undefined;
let runs: string;
/** What went wrong in the pages during the current step, for the failure message. */
let problems: string[] = [];
/** Requests to alice's server that it or the proxy refused or failed, over the whole JupyterLab session. */
const refused: string[] = [];

let printed: number;
let notebook: string;
let cellId: string;

const row = (p: Page, server: string): Locator => p.locator(`[data-testid="server-row"][data-server="${server}"]`);

const watch = (p: Page) => {
  p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  p.on('requestfailed', (r) => problems.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  p.on('response', (r) => {
    if (r.status() < 400) return;
    const line = `${r.status()} ${r.request().method()} ${r.url()}`;
    problems.push(line);
    if (new URL(r.url()).pathname.startsWith('/user/alice/')) refused.push(line);
  });
  p.on('websocket', (ws) => ws.on('socketerror', (e) => problems.push(`websocket ${ws.url()}: ${e}`)));
};

beforeAll(async () => {
  // Readings every second: the execution's CPU comes from the kernel's counter around it.
  hub = await startTestHub({ config: 'monitoring:\n  interval_seconds: 1\n' });
  token = hub.addUser('alice', { password: 'alice-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.on('page', watch);
  page = await context.newPage();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') {
    shots ??= mkdtempSync(join(tmpdir(), 'nbhub-jupyterlab-'));
    const file = join(shots, `${ctx.task.name.replace(/\W+/g, '-').slice(0, 80)}.png`);
    await (lab ?? page)?.screenshot({ path: file }).catch(() => undefined);
    console.error(`screenshot: ${file}\nin the page:\n${problems.join('\n')}\nhub output:\n${hub?.output().slice(-4000)}`);
  }
  problems = [];
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('JupyterLab 4 through the proxy', { timeout: 300_000 }, () => {
  it('names what the default profile runs where a user picks a profile, and in the server list', async () => {
    const r = await hub.api('/hub/api/profiles', { token });
    const { profiles } = (await r.json()) as { profiles: ProfileItem[] };
    const def = profiles.find((p) => p.default);
    expect(def?.name).toBe('default');
    expect(def?.display_name).toMatch(/^JupyterLab 4\.\d+\.\d+$/);
    runs = def?.display_name ?? '';

    await page.goto(`${hub.url}/hub/login`);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/home$/);
    // The profile picked for a new server unless the user picks another.
    const select = page.getByTestId('new-server-profile');
    await expect.poll(() => select.locator('option:checked').textContent(), SHOWN).toBe(`${runs} (default)`);
    // The default server, never started yet, says what it will run.
    expect(await row(page, '').getByTestId('server-profile').textContent()).toBe(runs);
  });

  it('starts the default server from the console and lands in JupyterLab', async () => {
    await row(page, '').getByTestId('server-start').click();
    // The start page follows the start and goes to the server by itself; JupyterLab's own redirect from the
    // server's root to /lab, under the proxy's prefix.
    await page.waitForURL(/\/user\/alice\/lab/, LOADED);
    lab = page;
    await lab.locator('.jp-LauncherCard[data-category="Notebook"][title*="Python"]').first().waitFor(LOADED);
    expect(await lab.title()).toMatch(/JupyterLab/);

    // The console again, in a tab of its own: the server runs what it said, and Open leads to it.
    page = await context.newPage();
    await page.goto(`${hub.url}/hub/home`);
    await expect.poll(() => row(page, '').getByTestId('server-state').textContent(), LOADED).toBe('running');
    // By its display name once the profiles are loaded (the page is new: they may come after the servers).
    await expect.poll(() => row(page, '').getByTestId('server-profile').textContent(), SHOWN).toBe(runs);
    expect(await row(page, '').getByTestId('server-open').getAttribute('href')).toBe('/user/alice/');
  });

  it('creates a Python 3 notebook from the launcher, runs a cell with Shift+Enter and shows its output', async () => {
    const p = lab as Page;
    await p.locator('.jp-LauncherCard[data-category="Notebook"][title*="Python"]').first().click();
    const panel = p.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const cell = panel.locator('.jp-Notebook .jp-CodeCell').first();
    await cell.waitFor(LOADED);
    notebook = (await p.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel').textContent()) ?? '';
    expect(notebook).toBe('Untitled.ipynb');
    // A cell run before the kernel is connected is silently not run: wait until the status bar says it is
    // idle, next to this notebook's name (both follow the notebook in front).
    const bar = p.locator('#jp-main-statusbar');
    await expect.poll(() => bar.innerText(), LOADED).toMatch(/Python 3 \(ipykernel\) \| Idle[^]*\bUntitled\.ipynb\b/);

    await cell.locator('.jp-InputArea-editor .cm-content').click();
    await p.keyboard.insertText(burn(1));
    await p.keyboard.press('Shift+Enter');
    const output = cell.locator('.jp-OutputArea-output');
    await output.waitFor(SHOWN);
    // The cell prints the CPU time it measured itself.
    printed = Number((await output.textContent())?.trim());
    expect(printed).toBeGreaterThanOrEqual(1);
    expect(await cell.locator('.jp-InputPrompt').textContent()).toBe('[1]:');

    // Saved, the file holds the id of the cell that ran. JupyterLab asks for a name on the first save of an
    // untitled file: keep it.
    await p.keyboard.press('Control+s');
    const dialog = p.locator('.jp-Dialog');
    await dialog.waitFor(SHOWN);
    await dialog.locator('.jp-mod-accept').click();
    await dialog.waitFor({ state: 'detached', ...SHOWN });
    await expect
      .poll(async () => {
        const r = await hub.api(`/user/alice/api/contents/${notebook}?content=1`, { token });
        if (r.status !== 200) return '';
        const model = (await r.json()) as { content?: { cells?: Array<{ id?: string; outputs?: unknown[] }> } };
        const first = model.content?.cells?.[0];
        return first?.outputs?.length ? (first.id ?? '') : '';
      }, SHOWN)
      .not.toBe('');
    const saved = (await (await hub.api(`/user/alice/api/contents/${notebook}?content=1`, { token })).json()) as { content: { cells: Array<{ id: string }> } };
    cellId = saved.content.cells[0]?.id ?? '';
    expect(cellId).toMatch(/^[\w-]+$/);
  });

  it("lists the cell's execution with the notebook, the cell id JupyterLab sent, status ok and its CPU time", async () => {
    const [e, ...more] = await endedExecutions(hub, 'user=alice', token, 1);
    expect(more).toEqual([]);
    expect(e).toMatchObject({ user: 'alice', server: '', notebook, cell_id: cellId, status: 'ok', execution_count: 1, code: burn(1), error_name: null });
    // What the hub measured from the kernel's CPU counter, against what the cell measured itself; one thread
    // cannot use more CPU than the time it ran.
    expect(e?.cpu_seconds).toBeGreaterThan(0);
    expect(Math.abs((e?.cpu_seconds ?? 0) - printed) / printed).toBeLessThan(0.2);
    expect(e?.cpu_seconds).toBeLessThanOrEqual((e?.duration_seconds ?? 0) + 0.5);
  });

  it('went through the proxy without a refused or failed request to the server', () => {
    expect(refused).toEqual([]);
  });
});
