/**
 * Consumption monitoring in the console, in a real Chromium against a real hub (built: `npm run build`) that samples
 * every second, with a real Jupyter server: the runtime page's charts, kernels and processes, stopping a process and
 * controlling a kernel from it, and the usage page with its totals and CSV export.
 * Steps share one hub, one kernel and one logged-in page, in order.
 */
import { readFileSync } from 'node:fs';
import type { Kernel } from '@jupyterlab/services';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const START = { timeout: 60_000 };
// The sampler runs every second; the pages poll every 5 s.
const SAMPLED = { timeout: 30_000 };
const CONFIG = 'monitoring:\n  interval_seconds: 1\n';

// A subprocess of the kernel. A thread reaps it when it ends, so once signalled it is gone, not a zombie of the kernel.
const START_SLEEP = [
  'import subprocess, threading',
  'p = subprocess.Popen(["sleep", "600"])',
  'threading.Thread(target=p.wait, daemon=True).start()',
  'print(p.pid)',
].join('\n');

interface ProcessModel {
  pid: number;
  command: string;
  kernel_id: string | null;
}

let hub: TestHub;
let browser: Browser;
let page: Page;
let token: string;
let jupyter: ReturnType<typeof managers>;
let kernel: Kernel.IKernelConnection;
let sleepPid: number;
/** Unix seconds before the server started: a usage range from here holds all of it. */
let since: number;

const processes = async (): Promise<ProcessModel[]> => {
  const r = await hub.api('/hub/api/users/alice/server/processes', { token });
  expect(r.status).toBe(200);
  return ((await r.json()) as { processes: ProcessModel[] }).processes;
};

const kernelIds = async (): Promise<string[]> => {
  const r = await hub.api('/hub/api/users/alice/server/kernels', { token });
  expect(r.status).toBe(200);
  return ((await r.json()) as { kernels: Array<{ id: string }> }).kernels.map((k) => k.id);
};

/** True while the process exists (a zombie would count: the reaper thread makes sure there is none). */
const exists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const processRow = (p: Page, pid: number): Locator => p.locator(`[data-testid="process-row"][data-pid="${pid}"]`);
const kernelRow = (p: Page, id: string): Locator => p.locator(`[data-testid="kernel-row"][data-kernel="${id}"]`);

/** Pixels of a canvas that are not transparent: the chart has drawn something. */
const paintedPixels = (canvas: Locator): Promise<number> =>
  canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    if (data) for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
    return n;
  });

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice', { password: 'alice-secret' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await (await browser.newContext()).newPage();
});

afterAll(async () => {
  kernel?.dispose();
  jupyter?.dispose();
  await browser?.close();
  await hub?.dispose();
});

describe('consumption monitoring in the console', { timeout: 150_000 }, () => {
  it('runs a cell that starts a subprocess; the API lists it under its kernel', async () => {
    since = Math.floor(Date.now() / 1000) - 1;
    const started = await hub.api('/hub/api/users/alice/server', { method: 'POST', token, body: {} });
    expect([201, 202]).toContain(started.status);
    await expect
      .poll(async () => {
        const model = (await (await hub.api('/hub/api/users/alice', { token })).json()) as { servers: Record<string, { ready: boolean }> };
        return model.servers['']?.ready;
      }, START)
      .toBe(true);

    // A kernel started through the proxy (POST /user/alice/api/kernels), running a cell that starts `sleep 600`.
    jupyter = managers(jupyterSettings(hub.url, '/user/alice/', token));
    kernel = await jupyter.kernels.startNew({ name: 'python3' });
    const run = await execute(kernel, START_SLEEP);
    expect(run.status).toBe('ok');
    sleepPid = Number(run.output.trim());
    expect(sleepPid).toBeGreaterThan(1);
    expect(exists(sleepPid)).toBe(true);

    await expect.poll(async () => (await processes()).find((p) => p.pid === sleepPid), SAMPLED).toBeDefined();
    const sleep = (await processes()).find((p) => p.pid === sleepPid);
    expect(sleep?.command).toContain('sleep 600');
    expect(sleep?.kernel_id).toBe(kernel.id);
  });

  it('shows live charts with the kernel, its kernels and its processes on the runtime page', async () => {
    await page.goto(`${hub.url}/hub/login`);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/home$/);
    // The server's row links to its page.
    await page.locator('[data-testid="server-row"][data-server=""]').getByTestId('server-name').click();
    await page.waitForURL(/\/hub\/servers\/alice\/$/);

    const cpu = page.getByTestId('chart-cpu');
    await cpu.locator('canvas').waitFor(SAMPLED);
    await expect.poll(async () => Number(await cpu.getAttribute('data-points')), SAMPLED).toBeGreaterThan(0);
    // The kernel has no notebook (no session), so its series is labelled by its id.
    await expect.poll(() => cpu.textContent(), SAMPLED).toContain(`kernel ${kernel.id.slice(0, 8)}`);
    expect(await paintedPixels(cpu.locator('canvas'))).toBeGreaterThan(0);
    const memory = page.getByTestId('chart-memory');
    await expect.poll(async () => Number(await memory.getAttribute('data-points')), SAMPLED).toBeGreaterThan(0);

    await kernelRow(page, kernel.id).waitFor(SAMPLED);

    const sleep = processRow(page, sleepPid);
    await sleep.waitFor(SAMPLED);
    expect(await sleep.getByTestId('process-command').textContent()).toContain('sleep 600');
    expect(await sleep.getAttribute('data-kernel')).toBe(kernel.id);
  });

  it('stops the process with its stop button (SIGTERM); the kernel lives on', async () => {
    const sleep = processRow(page, sleepPid);
    await sleep.getByTestId('process-stop').click();
    await sleep.waitFor({ state: 'detached', ...SAMPLED });
    await expect.poll(() => exists(sleepPid), SAMPLED).toBe(false);
    await expect.poll(async () => (await processes()).some((p) => p.pid === sleepPid), SAMPLED).toBe(false);
    expect(await page.getByTestId('processes-error').count()).toBe(0);
    // SIGTERM reached the subprocess, and only it.
    expect(await execute(kernel, 'print(p.returncode)')).toEqual({ status: 'ok', output: '-15\n' });
  });

  it('interrupts a busy kernel, then shuts it down', async () => {
    const row = kernelRow(page, kernel.id);
    const busy = execute(kernel, 'import time\ntime.sleep(120)');
    await expect.poll(() => row.getByTestId('kernel-state').textContent(), SAMPLED).toBe('busy');
    await row.getByTestId('kernel-interrupt').click();
    // The cell ends with KeyboardInterrupt long before its 120 s.
    expect((await busy).status).toBe('error');

    // Let go of the kernel first, so this client does not try to reconnect to it.
    const id = kernel.id;
    kernel.dispose();
    await row.getByTestId('kernel-shutdown').click();
    await row.getByTestId('kernel-shutdown-confirm').click();
    await row.waitFor({ state: 'detached', ...SAMPLED });
    expect(await kernelIds()).not.toContain(id);
  });

  it('shows the user in the usage totals and exports them as CSV, as the API counts them', async () => {
    await page.getByTestId('nav-usage').click();
    await page.waitForURL(/\/hub\/usage$/);
    await page.locator('[data-testid="usage-users-row"][data-user="alice"]').waitFor(SAMPLED);
    await page.locator('[data-testid="usage-servers-row"][data-user="alice"][data-server=""]').waitFor();
    await page.getByTestId('usage-chart-cpu').locator('canvas').waitFor();

    // A range that has ended (every sample in it is stored) and is short (raw samples, to the second).
    await new Promise((r) => setTimeout(r, 2000));
    const to = Math.floor(Date.now() / 1000) - 1;
    await page.goto(`${hub.url}/hub/usage?from=${since}&to=${to}`);
    const usage = page.getByTestId('usage-page');
    await expect.poll(() => usage.getAttribute('data-to'), SAMPLED).toBe(String(to));
    await page.locator('[data-testid="usage-users-row"][data-user="alice"]').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('usage-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('user,cpu_seconds,cpu_hours,peak_memory_bytes');
    const row = lines.find((l) => l.startsWith('alice,'));
    expect(row).toBeDefined();
    const [, cpuSeconds, , peakMemory] = (row ?? '').split(',').map(Number);
    expect(cpuSeconds).toBeGreaterThan(0);
    expect(peakMemory).toBeGreaterThan(0);

    // The same query through the API (alice asks for her own usage, as the page does for her) gives the same totals.
    const step = await usage.getAttribute('data-step');
    const r = await hub.api(`/hub/api/usage?group_by=user&user=alice&from=${since}&to=${to}&step=${step}`, { token });
    expect(r.status).toBe(200);
    const total = ((await r.json()) as { totals: Array<{ labels: { user?: string }; cpu_seconds: number; peak_memory: number }> }).totals.find(
      (t) => t.labels.user === 'alice',
    );
    expect(cpuSeconds).toBe(Number(total?.cpu_seconds.toFixed(3)));
    expect(peakMemory).toBe(Math.round(total?.peak_memory ?? NaN));
  });
});
