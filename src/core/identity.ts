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
  /** Which credential proved it (core/revocations.ts: `session:{idHash}`, `token:{id}`); absent for services' tokens. */
  credential?: string;
}

/** The identity of a service's token: it owns nothing, and is an admin only where the config says so. */
export const serviceIdentity = (name: string, admin: boolean): Identity => ({ user: `service:${name}`, admin, via: 'token', service: name });

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

export const canAccess = (who: Identity, owner: string): boolean => who.admin || (who.service === undefined && who.user === owner);
