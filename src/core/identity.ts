import { allows, type ScopeSet } from './scopes.js';

/** Who is making a request, however they proved it. */
export interface Identity {
  /** The user's name; for a service, `service:{name}`, which no user can be named, so no owner check matches it. */
  user: string;
  admin: boolean;
  via: 'token' | 'cookie';
  /** For cookie sessions: the value a write must echo in X-XSRFToken. */
  xsrf?: string;
  /** Set when a service's api_token made the request (config `services`): the service's name. */
  service?: string;
  /**
   * What the caller may do (issue 16), expanded: their roles' scopes, narrowed by a token's own scopes. Group
   * filters also carry their members at resolution time, so checks without the target's groups see them.
   */
  scopes: ScopeSet;
  /** Which credential proved it (core/revocations.ts: `session:{idHash}`, `token:{id}`); absent for services' tokens. */
  credential?: string;
}

/** The identity of a service's token: it owns nothing, and is an admin only where the config says so. */
export const serviceIdentity = (name: string, admin: boolean, scopes: ScopeSet): Identity => ({ user: `service:${name}`, admin, via: 'token', service: name, scopes });

/** The credentials a request carries, already extracted from headers (services never see requests). */
export interface Credentials {
  authorization?: string | undefined;
  cookie?: string | undefined;
  queryToken?: string | undefined;
}

export interface IdentityResolver {
  /** `fresh`: asks the store even when a cached answer stands (WebSocket upgrades: a revocation elsewhere counts at once). */
  identify(credentials: Credentials, o?: { fresh?: boolean }): Promise<Identity | null>;
  /** The answer when it is at hand without I/O (a cache hit), else undefined: the proxy's fast path. */
  peek(credentials: Credentials): Identity | null | undefined;
}

/** A resolver that answers from a cache (the API's): told when what it holds of a user no longer stands. */
export interface IdentityCache extends IdentityResolver {
  /** Drops every cached identity of a user (deleted, demoted, a token revoked, logged out). */
  forget(user: string): void;
}

/** Whether the caller may enter `owner`'s runtime (`access:servers` on it): the proxy's and the API's inside routes' check. */
export const canAccess = (who: Identity, owner: string, server?: string): boolean => allows(who.scopes, 'access:servers', { user: owner, server });
