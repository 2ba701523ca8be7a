import type { Authenticated } from './authenticator.js';

/** Why a login through the provider failed: `message` is for the person, `reason` for the audit trail and log. */
export interface OidcRefusal {
  ok: false;
  status: 400 | 403 | 502 | 503;
  reason: string;
  message: string;
  /** The user the provider named, when the refusal came after it did (for the audit trail). */
  user?: string;
}

export type OidcOutcome = { ok: true; user: Authenticated; next: string; tokens: OidcSessionTokens } | OidcRefusal;

/** What the hub keeps, server-side only, of a provider session: never in a cookie, never logged. */
export interface OidcSessionTokens {
  refreshToken: string | undefined;
  idToken: string | undefined;
}

/** OpenID Connect login (issue 16, config auth.oidc): authorization code with PKCE, then refreshes. */
export interface OidcLogin {
  /** What the login button says ("Sign in with {label}"). */
  readonly label: string;
  /**
   * Starts a login: where to send the browser, and the value of the short-lived cookie that binds the pending
   * login (state, nonce, PKCE verifier, kept in the hub) to this browser.
   */
  begin(input: { next: string; redirectUri: string }): Promise<{ url: string; binding: string } | OidcRefusal>;
  /** Checks the provider's answer at the callback against this browser's pending login and exchanges the code. */
  complete(input: { callbackUrl: URL; binding: string | undefined }): Promise<OidcOutcome>;
  /** Keeps a new session's tokens, refreshed every auth.oidc.refresh_seconds until the session ends. */
  track(sessionIdHash: string, user: string, tokens: OidcSessionTokens): Promise<void>;
  /** Forgets a session at logout; the provider's end-session URL when auth.oidc.logout_redirect asks for it. */
  logout(sessionIdHash: string, postLogoutRedirectUri: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A session logged in through the provider, as stored (migration 021). */
export interface OidcSessionRecord {
  sessionHash: string;
  user: string;
  refreshToken: string | null;
  idToken: string | null;
  refreshedAt: number;
}

export interface OidcSessionRepo {
  put(record: OidcSessionRecord): Promise<void>;
  get(sessionHash: string): Promise<OidcSessionRecord | undefined>;
  /** Sessions last refreshed at or before `before`, oldest first. */
  due(before: number, limit: number): Promise<OidcSessionRecord[]>;
  /**
   * Takes a due session for refreshing: true for exactly one caller (instances sharing a store race here), which
   * then refreshes it; a rotated refresh token used twice would end the session.
   */
  claim(sessionHash: string, seenRefreshedAt: number, now: number): Promise<boolean>;
  delete(sessionHash: string): Promise<void>;
}
