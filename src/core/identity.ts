/** Who is making a request, however they proved it. */
export interface Identity {
  user: string;
  admin: boolean;
  via: 'token' | 'cookie';
  /** For cookie sessions: the value a write must echo in X-XSRFToken. */
  xsrf?: string;
}

/** The credentials a request carries, already extracted from headers (services never see requests). */
export interface Credentials {
  authorization?: string | undefined;
  cookie?: string | undefined;
  queryToken?: string | undefined;
}

export interface IdentityResolver {
  identify(credentials: Credentials): Promise<Identity | null>;
  /** The answer when it is at hand without I/O (a cache hit), else undefined: the proxy's fast path. */
  peek(credentials: Credentials): Identity | null | undefined;
}

/** A resolver that answers from a cache (the API's): told when what it holds of a user no longer stands. */
export interface IdentityCache extends IdentityResolver {
  /** Drops every cached identity of a user (deleted, demoted, a token revoked, logged out). */
  forget(user: string): void;
}

export const canAccess = (who: Identity, owner: string): boolean => who.admin || who.user === owner;
