/**
 * The log panel in a real Chromium against a real hub (built: `npm run build`): a failed start's log shown
 * without asking, the latest start tailed live, the search.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SERVE = "require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1');";
const TALK = `${SERVE} const fs = require('fs'); console.log('talker ready'); setInterval(() => { try { const t = fs.readFileSync('say.txt', 'utf8'); fs.unlinkSync('say.txt'); console.log(t.trim()); } catch {} }, 20);`;
const CONFIG = `
profiles:
  crashing:
    command: ["sh", "-c", "echo starting up; echo 'fatal: cannot find the dataset' >&2; exit 3", "{workspace}"]
  talker:
    command: ["node", "-e", ${JSON.stringify(TALK)}, "{port}", "{workspace}"]
    readiness_path: ""
`;

let hub: TestHub;
let browser: Browser;
let page: Page;
let token: string;
const logText = () => page.getByTestId('log-lines').textContent();

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
});

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
});

describe('the log panel', { timeout: 120_000 }, () => {
  it("shows a failed start's log as the page opens", async () => {
    expect((await hub.api('/hub/api/users/alice/servers/bad', { method: 'POST', token, body: { profile: 'crashing' } })).status).toBe(500);
    await page.goto(`${hub.url}/hub/servers/alice/bad`);
    await expect.poll(logText, { timeout: 20_000 }).toContain('fatal: cannot find the dataset');
    expect(await logText()).toContain('starting up');
  });

  it('tails the running start live and searches it', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/talk', { method: 'POST', token, body: { profile: 'talker' } })).status).toBe(201);
    await page.goto(`${hub.url}/hub/servers/alice/talk`);
    await expect.poll(logText, { timeout: 20_000 }).toContain('talker ready');
    await expect.poll(() => page.getByTestId('log-live').count(), { timeout: 20_000 }).toBe(1);
    writeFileSync(join(hub.dataDir, 'workspaces', 'alice', 'talk', 'say.txt'), 'a line printed while you watch');
    await expect.poll(logText, { timeout: 20_000 }).toContain('a line printed while you watch');
    await page.getByTestId('log-search').fill('WATCH');
    await expect.poll(logText, { timeout: 20_000 }).toBe('a line printed while you watch');
  });
});
