/**
 * OpenID Connect login in a real Chromium (issue 16): from the console's login page, through a real oidc-provider's
 * login form, back to the console logged in, with the provider's groups as hub groups; then logout.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { hubGroupsOf, oidcHubConfig, startTestProvider, type TestProvider } from './helpers/oidc-provider.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let provider: TestProvider;
let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  provider = await startTestProvider();
  await provider.setAccounts({ ada: { preferred_username: 'ada', groups: ['staff', 'ml'] } });
  hub = await startTestHub({ config: oidcHubConfig(provider, ['scopes: [openid, profile, groups]', 'groups_claim: groups', 'logout_redirect: true']) });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hub?.dispose();
  await provider?.stop();
});

describe('OpenID Connect in the browser', { timeout: 90_000 }, () => {
  it('logs in through the provider and back to the console, groups from the claim, and logs out at the provider', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${hub.url}/hub/home`);
    await page.waitForURL(/\/hub\/login\?next=/);
    const button = page.getByTestId('login-oidc');
    expect(await button.textContent()).toBe(`Sign in with ${new URL(provider.issuer).host}`);
    await expect.poll(() => page.getByTestId('login-form').count()).toBe(0);
    await button.click();

    // The provider's own login form (devInteractions).
    await page.waitForURL((u) => u.origin === provider.issuer && u.pathname.startsWith('/interaction/'));
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();

    await page.waitForURL(`${hub.url}/hub/home`);
    await page.getByTestId('current-user').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toBe('ada');
    expect(hubGroupsOf(hub.dataDir, 'ada')).toEqual(['ml', 'staff']);
    // The binding cookie is gone; the session cookie is HttpOnly.
    const cookies = await context.cookies(hub.url);
    expect(cookies.find((c) => c.name === 'nbhub-oauth')).toBeUndefined();
    expect(cookies.find((c) => c.name === 'nbhub-session')?.httpOnly).toBe(true);

    // Logout ends the provider's session too (its end-session page), which sends the browser back to the login page.
    await page.getByTestId('logout').click();
    await page.waitForURL((u) => u.origin === provider.issuer);
    await page.locator('button[name="logout"]').click();
    await page.waitForURL(/\/hub\/login/);
    expect((await page.request.get(`${hub.url}/hub/api/user`)).status()).toBe(403);
    // The provider's session ended as well: signing in again asks for the login once more.
    await page.getByTestId('login-oidc').click();
    await page.waitForURL((u) => u.origin === provider.issuer && u.pathname.startsWith('/interaction/'));
    await page.locator('input[name="login"]').waitFor();
    await context.close();
  });
});
