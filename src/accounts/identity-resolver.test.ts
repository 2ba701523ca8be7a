import { resolveRoles } from '../core/roles.js';
import { allows } from '../core/scopes.js';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import { canAccess, type Identity } from '../core/identity.js';
import type { Store } from '../core/store.js';
import { CachedIdentityResolver, tokenFromCredentials } from './identity-resolver.js';

describe('tokenFromCredentials', () => {
  it("reads JupyterHub's header forms and ?token=", () => {
    expect(tokenFromCredentials({ authorization: 'token abc' })).toBe('abc');
    expect(tokenFromCredentials({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromCredentials({ queryToken: 'q' })).toBe('q');
  });
  it('ignores a ?token= beside a session cookie, so a link cannot switch who a logged-in user is', () => {
    expect(tokenFromCredentials({ queryToken: 'attacker', cookie: 'nbhub-session=mine' })).toBeUndefined();
    expect(tokenFromCredentials({ authorization: 'token t', cookie: 'nbhub-session=mine' })).toBe('t');
  });
});

describe('service tokens', () => {
  const store = {
    tokens: { findByHash: async () => ({ id: 't1', user: 'alice', expiresAt: null }) },
    users: { get: async (name: string) => ({ name, admin: false }) },
    sessions: { get: async () => null },
    groups: { ofUser: async () => [] },
  } as unknown as Store;
  const clock: Pick<Clock, 'now'> = { now: () => 1_000 };
  const resolver = new CachedIdentityResolver(store, clock, 5_000, [
    { name: 'announce', admin: false, token: 'announce-token-0123456789' },
    { name: 'cull', admin: true, token: 'cull-token-0123456789abc' },
  ]);

  it("a service's token is that service: owner of nothing, admin only if configured", async () => {
    const who = await resolver.identify({ authorization: 'token announce-token-0123456789' });
    expect(who).toMatchObject({ service: 'announce', admin: false, via: 'token' });
    expect(canAccess(who as Identity, 'announce')).toBe(false);
    expect(canAccess(who as Identity, 'alice')).toBe(false);
    expect(resolver.peek({ authorization: 'Bearer cull-token-0123456789abc' })).toMatchObject({ service: 'cull', admin: true });
    expect(canAccess(resolver.peek({ authorization: 'Bearer cull-token-0123456789abc' }) as Identity, 'alice')).toBe(true);
  });

  it('gives a service the roles that list it (config auth.roles), and nothing else', async () => {
    const roles = resolveRoles([{ name: 'watcher', description: '', scopes: ['read:users', 'list:users'], users: [], groups: [], services: ['announce'] }]);
    const withRoles = new CachedIdentityResolver(store, clock, 5_000, [{ name: 'announce', admin: false, token: 'announce-token-0123456789' }], roles);
    const who = (await withRoles.identify({ authorization: 'token announce-token-0123456789' })) as Identity;
    expect(allows(who.scopes, 'read:users', { user: 'alice' })).toBe(true);
    expect(allows(who.scopes, 'servers', { user: 'alice' })).toBe(false);
    expect(canAccess(who, 'alice')).toBe(false);
  });

  it("other tokens still go to the store as before", async () => {
    const who = await resolver.identify({ authorization: 'token some-user-token' });
    expect(who).toMatchObject({ user: 'alice', admin: false, via: 'token' });
    // The token inherits alice's rights (it has no scopes of its own): her own runtime, nobody else's.
    expect(canAccess(who as Identity, 'alice')).toBe(true);
    expect(canAccess(who as Identity, 'bob')).toBe(false);
    expect(who).toMatchObject({ credential: 'token:t1' });
  });
});

describe('fresh lookups (WebSocket upgrades)', () => {
  it('ask the store even when a cached answer stands, so a revocation seen only by the store counts at once', async () => {
    let live = true;
    const store = {
      tokens: { findByHash: async () => (live ? { id: 't1', user: 'alice', expiresAt: null } : undefined) },
      users: { get: async (name: string) => ({ name, admin: false }) },
      sessions: { get: async () => undefined },
      groups: { ofUser: async () => [] },
    } as unknown as Store;
    const resolver = new CachedIdentityResolver(store, { now: () => 1_000 }, 5_000);
    const creds = { authorization: 'token t' };
    expect(await resolver.identify(creds)).toMatchObject({ user: 'alice' });
    live = false; // revoked by another instance: this one's cache does not know
    expect(resolver.peek(creds)).toMatchObject({ user: 'alice' });
    expect(await resolver.identify(creds, { fresh: true })).toBeNull();
    expect(resolver.peek(creds)).toBeUndefined();
  });
});
