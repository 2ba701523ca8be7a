import type { Clock } from '../core/clock.js';
import { sha256hex } from '../core/ids.js';
import { serviceIdentity, type Credentials, type Identity, type IdentityResolver } from '../core/identity.js';
import type { TokenRecord, UserRecord } from '../core/models.js';
import { resolveRoles, scopesOf, type Role } from '../core/roles.js';
import { expandScopes, filterGroups, intersectScopes, withGroupMembers, type ScopeSet } from '../core/scopes.js';
import type { ServiceCredential } from '../core/services.js';
import { sessionCredential, tokenCredential } from '../core/revocations.js';
import type { Store } from '../core/store.js';
import { sessionIdOf } from './cookies.js';

/**
 * Accepts `Authorization: token X`, `Authorization: Bearer X` (JupyterHub's two forms) and `?token=`.
 * A `?token=` is ignored beside a session cookie: otherwise a link carrying someone else's token would
 * show a logged-in user that person's runtime, with the user's own cookies, on the hub's origin.
 */
export const tokenFromCredentials = (c: Credentials): string | undefined => {
  const auth = c.authorization;
  if (auth) {
    const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  if (!c.queryToken || sessionIdOf(c.cookie) !== undefined) return undefined;
  return c.queryToken;
};

interface Cached {
  identity: Identity;
  until: number;
  tokenId?: string;
}

/**
 * Resolves credentials to an identity, with a short positive cache keyed by the credential itself (it
 * lives in this process's memory either way): the proxy asks on every request, and a store round trip or
 * a hash per request would cap its throughput. Revocations through the API call
 * `forget`; other changes (another process's `nbhub user` command) are seen within `ttlMs`.
 */
export class CachedIdentityResolver implements IdentityResolver {
  private readonly cache = new Map<string, Cached>();
  private readonly touched = new Map<string, number>();
  /** Services' tokens (config, already in this process's memory): matched before the store's, without I/O or hashing. */
  private readonly services = new Map<string, Identity>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs = 5_000,
    services: readonly ServiceCredential[] = [],
    private readonly roles: readonly Role[] = resolveRoles(),
  ) {
    // A service's scopes: admin's when the config says admin, plus the roles that list it (JupyterHub's).
    for (const s of services) this.services.set(s.token, serviceIdentity(s.name, s.admin, scopesOf(roles, { kind: 'service', name: s.name, admin: s.admin })));
  }

  async identify(credentials: Credentials, o: { fresh?: boolean } = {}): Promise<Identity | null> {
    const fresh = o.fresh === true;
    const token = tokenFromCredentials(credentials);
    const service = token ? this.service(token) : undefined;
    if (service) return service;
    // As in JupyterHub: a token that does not resolve leaves the session cookie to try.
    const byToken = token ? await this.lookup('t:' + token, () => this.fromToken(token), fresh) : null;
    if (byToken) return byToken;
    const sid = sessionIdOf(credentials.cookie);
    if (sid) return this.lookup('s:' + sid, () => this.fromSession(sid), fresh);
    return null;
  }

  peek(credentials: Credentials): Identity | null | undefined {
    const token = tokenFromCredentials(credentials);
    const service = token ? this.service(token) : undefined;
    if (service) return service;
    const byToken = token ? this.cached('t:' + token) : undefined;
    if (byToken) return byToken;
    const sid = sessionIdOf(credentials.cookie);
    if (!sid) return token ? undefined : null;
    return this.cached('s:' + sid);
  }

  private service(token: string): Identity | undefined {
    return this.services.get(token);
  }

  /** A live cache entry's identity (noting the token's use), else undefined. */
  private cached(key: string): Identity | undefined {
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (!hit || hit.until < now) return undefined;
    if (hit.tokenId) this.touched.set(hit.tokenId, now);
    return hit.identity;
  }

  /** Drops every cached identity of a user (deleted, demoted, token revoked, logged out). */
  forget(user: string): void {
    for (const [key, c] of this.cache) if (c.identity.user === user) this.cache.delete(key);
  }

  /** Token ids used since the last call, with when; the caller persists last_activity in batches. */
  drainTokenActivity(): Map<string, number> {
    const out = new Map(this.touched);
    this.touched.clear();
    return out;
  }

  private async lookup(key: string, load: () => Promise<Cached | null>, fresh: boolean): Promise<Identity | null> {
    const hit = fresh ? undefined : this.cached(key);
    if (hit) return hit;
    const loaded = await load();
    if (!loaded) {
      this.cache.delete(key);
      return null;
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, loaded);
    return this.cached(key) ?? loaded.identity;
  }

  private async fromToken(token: string): Promise<Cached | null> {
    const rec = await this.store.tokens.findByHash(sha256hex(token));
    const now = this.clock.now();
    if (!rec || (rec.expiresAt !== null && rec.expiresAt <= now)) return null;
    const user = await this.store.users.get(rec.user);
    if (!user) return null;
    const until = Math.min(now + this.ttlMs, rec.expiresAt ?? Infinity);
    return { identity: { user: user.name, admin: user.admin, via: 'token', scopes: await this.scopes(user, rec), credential: tokenCredential(rec.id) }, until, tokenId: rec.id };
  }

  /** The user's roles' scopes, narrowed by the token's own (null: it inherits), group filters given their members. */
  private async scopes(user: UserRecord, token: TokenRecord | null): Promise<ScopeSet> {
    const groups = await this.store.groups.ofUser(user.name);
    const owner = scopesOf(this.roles, { kind: 'user', name: user.name, admin: user.admin, groups });
    let scopes = owner;
    if (token?.scopes) {
      const asked = expandScopes(token.scopes, { owner: user.name, inherit: owner });
      const named = new Set<string>();
      for (const g of asked.values()) {
        for (const u of g.users) named.add(u);
        for (const s of g.servers) named.add(s.slice(0, s.indexOf('/')));
      }
      const groupsOf = named.size ? await this.store.groups.ofUsers([...named]) : new Map<string, string[]>();
      scopes = intersectScopes(asked, owner, (u) => groupsOf.get(u) ?? []);
    }
    const filtered = filterGroups(scopes);
    if (!filtered.length) return scopes;
    const members = new Map<string, string[]>();
    for (const g of filtered) members.set(g, (await this.store.groups.get(g))?.users ?? []);
    return withGroupMembers(scopes, members);
  }

  private async fromSession(sid: string): Promise<Cached | null> {
    const rec = await this.store.sessions.get(sha256hex(sid));
    const now = this.clock.now();
    if (!rec || rec.expiresAt <= now) return null;
    const user = await this.store.users.get(rec.user);
    if (!user) return null;
    return {
      identity: { user: user.name, admin: user.admin, via: 'cookie', xsrf: rec.xsrf, scopes: await this.scopes(user, null), credential: sessionCredential(rec.idHash) },
      until: Math.min(now + this.ttlMs, rec.expiresAt),
    };
  }
}
