import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { NBHUB_BIN, startTestHub, type TestHub } from './helpers/hub.js';
import { BASE_DN, groupDn, passwordOf, ROOT_DN, ROOT_PASSWORD, SERVICE_DN, SERVICE_PASSWORD, slapdMissing, startTestSlapd, userDn, type TestSlapd } from '../bench/lib/slapd.mjs';

/** POST /hub/login from a chosen loopback address (the hub sees the socket's address: no proxy is trusted). */
const login = (hub: TestHub, username: string, password: string, from = '127.0.0.1'): Promise<{ status: number; retryAfter?: string; body: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const req = request(
      { host: '127.0.0.1', port: hub.port, path: '/hub/login', method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const groupsInStore = async (hub: TestHub, user: string): Promise<string[]> => {
  const store = createSqliteStore(join(hub.dataDir, 'nbhub.sqlite'));
  try {
    return await store.groups.ofUser(user);
  } finally {
    await store.close();
  }
};

/** The hub's log arrives through a pipe a little after the response: waits for it. */
const outputMatching = async (hub: TestHub, re: RegExp): Promise<string> => {
  const deadline = Date.now() + 10_000;
  while (!re.test(hub.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return hub.output();
};

const asRoot = async (slapd: TestSlapd, f: (c: Client) => Promise<void>) => {
  const c = new Client({ url: slapd.url });
  try {
    await c.bind(ROOT_DN, ROOT_PASSWORD);
    await f(c);
  } finally {
    await c.unbind();
  }
};

const BAD_NAMES = ['*', ')(uid=*', 'admin)(|(a=*', '*)(objectClass=*', 'alice\u0000', 'al\\2aice', 'a'.repeat(200), 'alice,ou=people'];

describe.skipIf(slapdMissing() !== null)('LDAP login against a real slapd', { timeout: 120_000 }, () => {
  let slapd: TestSlapd;
  /** Search-then-bind over StartTLS with the test's CA; groups, allowed and admin groups. */
  let search: TestHub;
  /** Bind templates (the first one never binds) over ldaps. */
  let template: TestHub;
  /** Templates with a username_pattern that lets DN specials through: they must reach slapd escaped. */
  let loose: TestHub;
  beforeAll(async () => {
    slapd = await startTestSlapd();
    search = await startTestHub({
      // Info: the audit events (identity_sync, login_failed with its reason) are asserted below.
      env: { NBHUB_LOG_LEVEL: 'info' },
      config: `auth:
  authenticator: ldap
  local:
    failures_before_delay: 3
  ldap:
    url: ${slapd.url}
    start_tls: true
    tls_ca_file: ${slapd.caFile}
    lookup_dn: true
    user_search_base: ou=people,${BASE_DN}
    search_bind_dn: ${SERVICE_DN}
    search_bind_password: ${SERVICE_PASSWORD}
    group_search_base: ou=groups,${BASE_DN}
    allowed_groups: ['${groupDn('hub-users')}', '${groupDn('devs')}']
    admin_groups: ['${groupDn('hub-admins')}']
`,
    });
    template = await startTestHub({
      config: `auth:
  authenticator: ldap
  ldap:
    url: ${slapd.ldapsUrl}
    tls_ca_file: ${slapd.caFile}
    bind_dn_template: ['uid={username},ou=nobody,${BASE_DN}', 'uid={username},ou=people,${BASE_DN}']
`,
    });
    loose = await startTestHub({
      config: `auth:
  authenticator: ldap
  ldap:
    url: ${slapd.url}
    username_pattern: '^.{1,64}$'
    bind_dn_template: ['uid={username},ou=people,${BASE_DN}']
`,
    });
  }, 120_000);
  afterAll(async () => {
    await search?.dispose();
    await template?.dispose();
    await loose?.dispose();
    await slapd?.stop();
  });

  it('logs in by search-then-bind over StartTLS, syncing groups (nested and posix) and admin from the directory', async () => {
    const alice = await login(search, 'alice', passwordOf('alice'));
    expect(alice.status, search.output()).toBe(200);
    expect(alice.body).toMatchObject({ name: 'alice', admin: true });
    // staff directly, hub-users through staff (nested), hub-admins as a uniqueMember.
    expect(await groupsInStore(search, 'alice')).toEqual(['hub-admins', 'hub-users', 'staff']);
    const bob = await login(search, 'bob', passwordOf('bob'));
    expect(bob.body).toMatchObject({ name: 'bob', admin: false });
    expect(await groupsInStore(search, 'bob')).toEqual(['devs', 'hub-users', 'staff']);
    expect(await outputMatching(search, /identity_sync/)).toMatch(/"event":"identity_sync","user":"alice","admin":true,"groups":\["hub-admins","hub-users","staff"\],"by":"ldap"/);
    // The search went over TLS: slapd saw STARTTLS before the service account's bind.
    expect(slapd.log()).toMatch(/STARTTLS[\s\S]*BIND dn="cn=hub-service,dc=nbhub,dc=test"/);
  });

  it('takes admin (and the group) away at the next login once the directory removes the user from the admin group', async () => {
    await asRoot(slapd, (c) => c.modify(groupDn('hub-admins'), new Change({ operation: 'replace', modification: new Attribute({ type: 'uniqueMember', values: [userDn('bob')] }) })));
    try {
      const again = await login(search, 'alice', passwordOf('alice'));
      expect(again.body).toMatchObject({ name: 'alice', admin: false });
      expect(await groupsInStore(search, 'alice')).toEqual(['hub-users', 'staff']);
      expect((await login(search, 'bob', passwordOf('bob'))).body).toMatchObject({ admin: true });
    } finally {
      await asRoot(slapd, (c) => c.modify(groupDn('hub-admins'), new Change({ operation: 'replace', modification: new Attribute({ type: 'uniqueMember', values: [userDn('alice')] }) })));
    }
  });

  it('refuses a user outside allowed_groups, a wrong password and an unknown user', async () => {
    expect((await login(search, 'carol', passwordOf('carol'))).status).toBe(403);
    expect((await login(search, 'alice', 'not-her-password')).status).toBe(403);
    expect((await login(search, 'nobody', 'whatever')).status).toBe(403);
    expect(await outputMatching(search, /not in auth.ldap.allowed_groups/)).toMatch(/"user":"carol".*not in auth.ldap.allowed_groups/);
  });

  it('refuses a blank password without binding (an unauthenticated bind would succeed)', async () => {
    const before = (slapd.log().match(/ BIND /g) ?? []).length;
    expect((await login(template, 'alice', '')).status).toBe(403);
    expect((await login(search, 'alice', '')).status).toBe(403);
    expect((slapd.log().match(/ BIND /g) ?? []).length).toBe(before);
  });

  it('refuses filter and DN syntax in usernames before any directory request', async () => {
    const before = slapd.log().length;
    for (const name of BAD_NAMES) {
      for (const hub of [search, template]) expect((await login(hub, name, 'some-password', '127.0.0.3')).status, name).toBe(403);
    }
    // slapd saw no connection at all for them, so nothing of theirs reached it, escaped or not.
    expect(slapd.log().slice(before)).not.toMatch(/ACCEPT|SRCH|BIND/);
  });

  it('escapes DN specials a looser username_pattern lets through, so they bind as one RDN value (RFC 4514)', async () => {
    // Unescaped, "alice,ou=people,dc=nbhub,dc=test,x=" would make a different DN of several RDNs.
    for (const name of ['alice,ou=people', 'bob+cn=bob', '#alice', 'alice=x']) expect((await login(loose, name, 'some-password', '127.0.0.5')).status, name).toBe(403);
    const binds = slapd.log().match(/BIND dn="[^"]*"/g) ?? [];
    expect(binds).toContain('BIND dn="uid=alice\\2Cou\\3Dpeople,ou=people,dc=nbhub,dc=test"');
    expect(binds.filter((b) => b.startsWith('BIND dn="uid=alice,ou=people,ou=people') || b.startsWith('BIND dn="uid=bob+cn=bob'))).toEqual([]);
  });

  it('logs in by the first bind template that binds, over ldaps with the CA file', async () => {
    const r = await login(template, 'bob', passwordOf('bob'));
    expect(r.status, template.output()).toBe(200);
    // Groups are not managed without group_search_base, nor admin without admin_groups.
    expect(r.body).toMatchObject({ name: 'bob', admin: false });
    expect(await groupsInStore(template, 'bob')).toEqual([]);
    expect(slapd.log()).toContain('BIND dn="uid=bob,ou=nobody,dc=nbhub,dc=test"');
    expect((await login(template, 'bob', passwordOf('alice'))).status).toBe(403);
    // Typed in another case, the same hub user.
    expect((await login(template, 'BoB', passwordOf('bob'))).body).toMatchObject({ name: 'bob' });
  });

  it('holds back a username from one address after repeated failures (429, Retry-After), never from another', async () => {
    for (let i = 0; i < 3; i++) expect((await login(search, 'bob', 'wrong', '127.0.0.2')).status).toBe(403);
    const held = await login(search, 'bob', passwordOf('bob'), '127.0.0.2');
    expect(held.status).toBe(429);
    expect(Number(held.retryAfter)).toBeGreaterThan(0);
    expect((await login(search, 'bob', passwordOf('bob'), '127.0.0.4')).status).toBe(200);
  });
});

describe.skipIf(slapdMissing() !== null)('LDAP: TLS and settings refused', { timeout: 120_000 }, () => {
  let slapd: TestSlapd;
  beforeAll(async () => {
    slapd = await startTestSlapd();
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('refuses a directory whose certificate the configured CA did not sign (StartTLS and ldaps)', async () => {
    for (const [url, tls] of [
      [slapd.url, 'start_tls: true'],
      [slapd.ldapsUrl, ''],
    ]) {
      const hub = await startTestHub({
        config: `auth:
  authenticator: ldap
  ldap:
    url: ${url}
    ${tls}
    tls_ca_file: ${slapd.otherCaFile}
    bind_dn_template: ['uid={username},ou=people,${BASE_DN}']
`,
      });
      try {
        expect((await login(hub, 'alice', passwordOf('alice'))).status).toBe(403);
        expect(await outputMatching(hub, /certificate/i)).toMatch(/"message":"self-signed certificate in certificate chain".*LDAP login failed at the directory/);
        expect(slapd.log()).not.toContain('BIND dn="uid=alice');
      } finally {
        await hub.dispose();
      }
    }
  });

  it.each([
    ['ldap without a url', '', 'auth.ldap.url'],
    ['lookup_dn without a search base', `url: ldap://127.0.0.1:1\n    lookup_dn: true`, 'auth.ldap.user_search_base'],
    ['neither templates nor lookup_dn', 'url: ldap://127.0.0.1:1', 'auth.ldap.bind_dn_template'],
    ['admin_groups without group_search_base', `url: ldap://127.0.0.1:1\n    bind_dn_template: ['uid={username}']\n    admin_groups: ['cn=a']`, 'auth.ldap.group_search_base'],
    ['a template without {username}', `url: ldap://127.0.0.1:1\n    bind_dn_template: ['uid=x']`, 'auth.ldap.bind_dn_template'],
  ])('stops at start-up naming the key: %s', (_what, keys, key) => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-ldapconf-'));
    try {
      writeFileSync(join(dir, 'nbhub.yaml'), `auth:\n  authenticator: ldap\n  ldap:\n    ${keys || '{}'}\n`.replace('ldap:\n    {}', 'ldap: {}'));
      const r = spawnSync(process.execPath, [NBHUB_BIN, 'start', '--config', join(dir, 'nbhub.yaml'), '--port', '0', '--data-dir', dir], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
