import * as oidc from 'openid-client';
import type { Config } from '../../config/schema.js';
import { audit, type AuditTrail } from '../../core/audit.js';
import type { Clock } from '../../core/clock.js';
import { sha256hex, type IdGenerator } from '../../core/ids.js';
import type { IdentityCache } from '../../core/identity.js';
import type { Logger } from '../../core/logger.js';
import type { OidcLogin, OidcOutcome, OidcRefusal, OidcSessionRecord, OidcSessionTokens } from '../../core/oidc-login.js';
import type { Store } from '../../core/store.js';
import { admitUser } from '../admit.js';
import { decideOidcUser } from './claims.js';
import { LazyProvider } from './provider.js';

/** A login between the redirect to the provider and its callback (kept here, never in the browser). */
interface Pending {
  bindingHash: string;
  verifier: string;
  nonce: string;
  next: string;
  redirectUri: string;
  expiresAt: number;
}

/** How long the browser may take at the provider's login form. */
export const PENDING_TTL_MS = 10 * 60_000;
/** Bounds the memory unfinished logins (or someone hammering /hub/oauth_login) can take. */
const MAX_PENDING = 10_000;

type Deps = { config: Readonly<Config>; store: Store; identity: IdentityCache; clock: Clock; ids: IdGenerator; log: Logger; auditTrail?: AuditTrail | undefined };

const refusal = (status: OidcRefusal['status'], reason: string, message: string, user?: string): OidcRefusal => ({ ok: false, status, reason, message, ...(user ? { user } : {}) });

const errText = (err: unknown): string => {
  if (err instanceof oidc.ResponseBodyError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (err instanceof oidc.AuthorizationResponseError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  return err instanceof Error ? err.message : String(err);
};

/** The provider refused (as opposed to being unreachable): the refresh token or the user is no longer good. */
const refusedByProvider = (err: unknown): boolean => err instanceof oidc.ResponseBodyError || (err instanceof Error && /invalid_grant|unexpected|claim|signature/i.test(err.message));

export class OidcLoginService implements OidcLogin {
  readonly label: string;
  private readonly provider: LazyProvider;
  private readonly pending = new Map<string, Pending>();
  /** Nonces of completed logins, until their pending login could have expired: a replayed ID token is refused. */
  private readonly usedNonces = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  /** The refresh tick in progress (one at a time), awaited by close before the store closes. */
  private refreshing: Promise<void> | null = null;

  constructor(private readonly d: Deps) {
    const o = d.config.auth.oidc;
    if (o.issuer === undefined || o.client_id === undefined) throw new Error('auth.oidc.issuer and auth.oidc.client_id are required');
    this.label = new URL(o.issuer).host;
    this.provider = new LazyProvider({ issuer: o.issuer, client_id: o.client_id, client_secret: o.client_secret, allow_http_issuer: o.allow_http_issuer }, d.log);
    const tick = Math.max(1, Math.min(60, Math.floor(o.refresh_seconds / 2))) * 1000;
    this.timer = setInterval(() => {
      this.refreshing ??= this.refreshDue().finally(() => (this.refreshing = null));
    }, tick);
    this.timer.unref();
  }

  async begin(input: { next: string; redirectUri: string }): Promise<{ url: string; binding: string } | OidcRefusal> {
    let config: oidc.Configuration;
    try {
      config = await this.provider.get();
    } catch {
      return refusal(503, 'provider unreachable', 'The login provider cannot be reached just now: try again in a moment.');
    }
    this.sweep();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const binding = this.d.ids.random(32);
    const scopes = new Set(['openid', ...this.d.config.auth.oidc.scopes]);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: input.redirectUri,
      scope: [...scopes].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    this.pending.set(state, { bindingHash: sha256hex(binding), verifier, nonce, next: input.next, redirectUri: input.redirectUri, expiresAt: this.d.clock.now() + PENDING_TTL_MS });
    return { url: url.href, binding };
  }

  async complete(input: { callbackUrl: URL; binding: string | undefined }): Promise<OidcOutcome> {
    const state = input.callbackUrl.searchParams.get('state');
    const p = state === null ? undefined : this.pending.get(state);
    // Bound to the browser that started it: a callback URL planted in another browser (login CSRF) does nothing.
    if (!state || !p || p.expiresAt < this.d.clock.now() || input.binding === undefined || sha256hex(input.binding) !== p.bindingHash) {
      return refusal(403, 'state mismatch', 'This login link is not valid in this browser (expired, used already, or started elsewhere): start the login again.');
    }
    this.pending.delete(state);
    let config: oidc.Configuration;
    try {
      config = await this.provider.get();
    } catch {
      return refusal(503, 'provider unreachable', 'The login provider cannot be reached just now: try again in a moment.');
    }
    // The callback as the provider addressed it (the redirect_uri), with the query the browser brought.
    const current = new URL(p.redirectUri);
    current.search = input.callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: p.verifier, expectedState: state, expectedNonce: p.nonce, idTokenExpected: true });
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError) return refusal(403, `provider: ${errText(err)}`, 'The login provider did not log you in.');
      return refusal(403, `token exchange: ${errText(err)}`, "The login provider's answer could not be verified.");
    }
    const claims = tokens.claims();
    if (!claims) return refusal(403, 'no id token', "The login provider's answer could not be verified.");
    if (typeof claims.nonce !== 'string' || this.usedNonces.has(claims.nonce)) return refusal(403, 'replayed nonce', "The login provider's answer was used already.");
    this.usedNonces.set(claims.nonce, this.d.clock.now() + PENDING_TTL_MS);
    const decision = decideOidcUser(claims, this.d.config.auth.oidc);
    if (!decision.ok) return refusal(403, decision.reason, decision.message, typeof claims['preferred_username'] === 'string' ? claims['preferred_username'] : undefined);
    return { ok: true, user: decision.user, next: p.next, tokens: { refreshToken: tokens.refresh_token, idToken: tokens.id_token } };
  }

  async track(sessionIdHash: string, user: string, tokens: OidcSessionTokens): Promise<void> {
    await this.d.store.oidcSessions.put({ sessionHash: sessionIdHash, user, refreshToken: tokens.refreshToken ?? null, idToken: tokens.idToken ?? null, refreshedAt: this.d.clock.now() });
  }

  async logout(sessionIdHash: string, postLogoutRedirectUri: string): Promise<string | null> {
    const t = await this.d.store.oidcSessions.get(sessionIdHash);
    await this.d.store.oidcSessions.delete(sessionIdHash);
    if (!this.d.config.auth.oidc.logout_redirect) return null;
    try {
      const config = await this.provider.get();
      if (!config.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: config.clientMetadata().client_id };
      if (t?.idToken) params['id_token_hint'] = t.idToken;
      return oidc.buildEndSessionUrl(config, params).href;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
  }

  private sweep(): void {
    const now = this.d.clock.now();
    for (const [k, p] of this.pending) if (p.expiresAt < now) this.pending.delete(k);
    for (const [k, until] of this.usedNonces) if (until < now) this.usedNonces.delete(k);
    // Still too many: drop the oldest (a Map iterates in insertion order).
    for (const k of this.pending.keys()) {
      if (this.pending.size < MAX_PENDING) break;
      this.pending.delete(k);
    }
  }

  /** Refreshes every session older than refresh_seconds, one at a time. Never throws (logs). */
  async refreshDue(): Promise<void> {
    try {
      const now = this.d.clock.now();
      const due = await this.d.store.oidcSessions.due(now - this.d.config.auth.oidc.refresh_seconds * 1000, 200);
      for (const t of due) {
        try {
          if (await this.d.store.oidcSessions.claim(t.sessionHash, t.refreshedAt, now)) await this.refreshOne(t);
        } catch (err) {
          this.d.log.error({ user: t.user, err: errText(err) }, 'OpenID session refresh failed');
        }
      }
    } catch (err) {
      this.d.log.error({ err: errText(err) }, 'OpenID session refresh failed');
    }
  }

  private async refreshOne(t: OidcSessionRecord): Promise<void> {
    const hash = t.sessionHash;
    const session = await this.d.store.sessions.get(hash);
    if (!session) return this.d.store.oidcSessions.delete(hash);
    if (t.refreshToken === null) return this.end(hash, t.user, 'no refresh token');
    let config: oidc.Configuration;
    try {
      config = await this.provider.get();
    } catch {
      return; // The provider is down: the session stands, retried after another refresh_seconds.
    }
    let claims: Record<string, unknown> | undefined;
    let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
    try {
      tokens = await oidc.refreshTokenGrant(config, t.refreshToken);
      claims = tokens.claims() ?? (await oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck));
    } catch (err) {
      if (refusedByProvider(err)) return this.end(hash, t.user, `refresh refused: ${errText(err)}`);
      this.d.log.warn({ user: t.user, err: errText(err) }, 'OpenID refresh failed; retried after another refresh_seconds');
      return;
    }
    const decision = decideOidcUser(claims, this.d.config.auth.oidc);
    if (!decision.ok || decision.user.name !== t.user) return this.end(hash, t.user, decision.ok ? 'provider names another user' : decision.reason);
    // A rotated refresh token replaces the used one at once: the old one is spent at the provider.
    await this.d.store.oidcSessions.put({ sessionHash: hash, user: t.user, refreshToken: tokens.refresh_token ?? t.refreshToken, idToken: tokens.id_token ?? t.idToken, refreshedAt: this.d.clock.now() });
    await admitUser(this.d, decision.user);
  }

  private async end(hash: string, user: string, reason: string): Promise<void> {
    await this.d.store.oidcSessions.delete(hash);
    await this.d.store.sessions.delete(hash);
    this.d.identity.forget(user);
    this.d.log.info({ user, reason }, 'OpenID session ended by the provider');
    audit(this.d, { event: 'logout', user });
  }
}
