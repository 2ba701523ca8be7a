/**
 * Who logs in, however they prove it (issue 16; config `auth.authenticator`: local, ldap or oidc). The hub keeps
 * its own users: an authenticator says who someone is; `accounts/admit.ts` makes them a user of the hub.
 */

/** What an authenticator established about a person who logged in. */
export interface Authenticated {
  /** The hub user's name (already normalised by the authenticator). */
  name: string;
  /** From the directory or the provider (admin groups): set the hub's admin flag so; null leaves it as the hub has it. */
  admin: boolean | null;
  /** The person's groups per the directory or provider, which become their hub groups; null: groups are not managed. */
  groups: string[] | null;
  /** How they logged in, for the audit trail ('password', 'ldap', 'oidc'). */
  via: string;
}

export type PasswordOutcome =
  | { ok: true; user: Authenticated }
  /** `reason` is for the audit trail and the log, never for the person (they are told only "invalid username or password"). */
  | { ok: false; reason: string; status?: 403 | 429; retryAfterSeconds?: number };

/** Where it is asked from: rate limits and the audit trail use it. */
export interface LoginContext {
  ip: string;
}

/** A username and password checked by the hub itself (local accounts) or by a directory (LDAP). */
export interface PasswordAuthenticator {
  readonly kind: 'local' | 'ldap';
  login(username: string, password: string, context: LoginContext): Promise<PasswordOutcome>;
  /** Releases connections (LDAP); called once at shutdown. */
  close?(): Promise<void>;
}
