import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NBHUB_BIN, startTestHub, type TestHub } from './helpers/hub.js';
import { CookieJar, hubGroupsOf, loginAtProvider, oidcHubConfig, startTestProvider, type TestProvider } from './helpers/oidc-provider.js';

/** OpenID Connect login against a real oidc-provider, cookies by hand (issue 16). */
describe('OpenID Connect login', () => {
  let provider: TestProvider;
  let hub: TestHub;

  beforeAll(async () => {
    provider = await startTestProvider();
    await provider.setAccounts({
      alice: { preferred_username: 'alice', groups: ['staff'] },
      olga: { preferred_username: 'olga', groups: ['staff', 'ops'] },
      mallory: { preferred_username: 'mallory', groups: ['visitors'] },
      // A name the hub cannot take, echoed on the refusal page: it must come out escaped.
      xss: { preferred_username: '<img src=x onerror=alert(1)>', groups: ['staff'] },
    });
    hub = await startTestHub({
      config: oidcHubConfig(provider, ['scopes: [openid, profile, email, groups]', 'groups_claim: groups', 'allowed_groups: [staff]', 'admin_groups: [ops]', 'refresh_seconds: 2']),
      // Everything the hub logs, to check no secret is among it.
      env: { NBHUB_LOG_LEVEL: 'debug' },
    });
  }, 60_000);
  afterAll(async () => {
    await hub?.dispose();
    await provider?.stop();
  });

  const me = (jar: CookieJar) => jar.fetch(`${hub.url}/hub/api/user`);

  const codes: string[] = [];
  const login = async (name: string) => {
    const jar = new CookieJar();
    const callback = await loginAtProvider(jar, hub.url, name);
    codes.push(new URL(callback).searchParams.get('code') ?? '');
    const res = await jar.fetch(callback);
    return { jar, callback, res };
  };

  it('logs in through the provider: session, safe next, groups from the claim as hub groups', async () => {
    const { jar, res } = await login('alice');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/hub/home');
    expect(jar.get(hub.url, 'nbhub-oauth')).toBeUndefined();
    const user = await me(jar);
    expect(user.status).toBe(200);
    expect(await user.json()).toMatchObject({ name: 'alice', admin: false });
    expect(hubGroupsOf(hub.dataDir, 'alice')).toEqual(['staff']);
  });

  it('makes members of admin_groups admins', async () => {
    const { jar } = await login('olga');
    expect(await (await me(jar)).json()).toMatchObject({ name: 'olga', admin: true });
  });

  it('refuses a user outside allowed_groups', async () => {
    const { jar, res } = await login('mallory');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not in a group allowed');
    expect((await me(jar)).status).toBe(403);
  });

  it('escapes what the refusal page echoes', async () => {
    const { res } = await login('xss');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toContain('<img');
  });

  it('refuses a tampered state and a replayed callback', async () => {
    const jar = new CookieJar();
    const callback = new URL(await loginAtProvider(jar, hub.url, 'alice'));
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const bad = await jar.fetch(tampered.href);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('not valid in this browser');

    // The genuine callback in another browser (login CSRF) is refused: the state is bound to the starting one.
    const other = new CookieJar();
    expect((await other.fetch(callback.href)).status).toBe(403);

    const jar2 = new CookieJar();
    const cb2 = await loginAtProvider(jar2, hub.url, 'alice');
    expect((await jar2.fetch(cb2)).status).toBe(303);
    const replay = await jar2.fetch(cb2);
    expect(replay.status).toBe(403);
  });

  it('refuses an ID token signed by a key not in the JWKS', async () => {
    await provider.setMode('foreign-key');
    try {
      const { jar, res } = await login('alice');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('could not be verified');
      expect((await me(jar)).status).toBe(403);
      expect(hub.output()).not.toContain('nbhub-test-secret');
    } finally {
      await provider.setMode('pass');
    }
  });

  it('refuses a replayed ID token (its nonce was for an earlier login)', async () => {
    expect((await login('alice')).res.status).toBe(303);
    await provider.setMode('replay');
    try {
      const { jar, res } = await login('alice');
      expect(res.status).toBe(403);
      expect((await me(jar)).status).toBe(403);
    } finally {
      await provider.setMode('pass');
    }
  });

  it('answers POST /hub/login with 400 and tells the console the login mode', async () => {
    const res = await fetch(`${hub.url}/hub/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'x' }) });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('OpenID Connect');
    expect(await (await fetch(`${hub.url}/hub/api/login-options`)).json()).toEqual({ authenticator: 'oidc', oidc: { label: new URL(provider.issuer).host, login_url: '/hub/oauth_login' } });
  });

  it('refreshes: the session survives and picks up a changed group; a revoked refresh token ends it', async () => {
    await provider.setAccounts({ bob: { preferred_username: 'bob', groups: ['staff'] } });
    const { jar, res } = await login('bob');
    expect(res.status).toBe(303);
    expect(hubGroupsOf(hub.dataDir, 'bob')).toEqual(['staff']);
    await provider.setAccounts({ bob: { preferred_username: 'bob', groups: ['staff', 'ml'] } });
    await expect.poll(() => hubGroupsOf(hub.dataDir, 'bob'), { timeout: 20_000, interval: 500 }).toEqual(['ml', 'staff']);
    expect((await me(jar)).status).toBe(200);

    await provider.revokeRefreshTokens();
    await expect.poll(async () => (await me(jar)).status, { timeout: 20_000, interval: 500 }).toBe(403);
  }, 60_000);

  it('never logs the client secret, an authorization code or a token', async () => {
    const log = hub.output();
    expect(log).toContain('OpenID session ended by the provider');
    // The audit trail has the refusals with their reasons, and the groups the refresh brought.
    expect(log).toMatch(/"event":"login_failed"[^\n]*"reason":"not in allowed_groups"/);
    expect(log).toMatch(/"event":"login_failed"[^\n]*"reason":"state mismatch"/);
    expect(log).toMatch(/"event":"identity_sync","user":"bob"[^\n]*"groups":\["ml","staff"\]/);
    const secrets = ['nbhub-test-secret', ...codes, ...(await provider.issuedTokens())];
    expect(secrets.length).toBeGreaterThan(10);
    for (const s of secrets) expect(log.includes(s), 'a secret in the log').toBe(false);
  });
});

describe('OpenID Connect login by e-mail address', () => {
  let provider: TestProvider;
  let hub: TestHub;
  beforeAll(async () => {
    provider = await startTestProvider();
    // The hub's user names have no '@': a provider whose email claim carries plain names stands in for one.
    await provider.setAccounts({ eve: { email: 'eve', email_verified: false }, fay: { email: 'fay', email_verified: true } });
    hub = await startTestHub({ config: oidcHubConfig(provider, ['username_claim: email']) });
  }, 60_000);
  afterAll(async () => {
    await hub?.dispose();
    await provider?.stop();
  });

  it('refuses email_verified: false and admits a verified address', async () => {
    const jar = new CookieJar();
    const refused = await jar.fetch(await loginAtProvider(jar, hub.url, 'eve'));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('not verified');
    const jar2 = new CookieJar();
    expect((await jar2.fetch(await loginAtProvider(jar2, hub.url, 'fay'))).status).toBe(303);
  });
});

describe('OpenID Connect config', () => {
  const start = (config: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-oidc-config-'));
    writeFileSync(join(dir, 'nbhub.yaml'), config);
    const r = spawnSync(process.execPath, [NBHUB_BIN, 'start', '--config', join(dir, 'nbhub.yaml'), '--port', '0', '--data-dir', dir], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    return r;
  };
  it('a misspelled key, or oidc without an issuer, stops the hub naming the key', () => {
    const typo = start('auth:\n  authenticator: oidc\n  oidc:\n    issuer: https://id.example.org\n    client_id: nbhub\n    grups_claim: groups\n');
    expect(typo.status).not.toBe(0);
    expect(typo.stderr + typo.stdout).toContain('auth.oidc.grups_claim');
    const missing = start('auth:\n  authenticator: oidc\n  oidc:\n    client_id: nbhub\n');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr + missing.stdout).toContain('auth.oidc.issuer');
  });
});

describe('OpenID provider down when the hub starts', () => {
  let provider: TestProvider;
  let hub: TestHub;
  beforeAll(async () => {
    provider = await startTestProvider({ running: false });
    hub = await startTestHub({ config: oidcHubConfig(provider), env: { NBHUB_LOG_LEVEL: 'info' } });
  }, 60_000);
  afterAll(async () => {
    await hub?.dispose();
    await provider?.stop();
  });

  it('starts anyway, says so at login, logs it once, and logs in once the provider is up', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${hub.url}/hub/oauth_login`, { redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('cannot be reached');
    }
    expect(hub.output().split('OpenID provider discovery failed').length - 1).toBe(1);
    await provider.restart();
    await provider.setAccounts({ alice: { preferred_username: 'alice' } });
    const jar = new CookieJar();
    expect((await jar.fetch(await loginAtProvider(jar, hub.url, 'alice'))).status).toBe(303);
    expect((await jar.fetch(`${hub.url}/hub/api/user`)).status).toBe(200);
  });
});
