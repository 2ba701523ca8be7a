import * as oidc from 'openid-client';
import type { Logger } from '../../core/logger.js';

export interface ProviderSettings {
  issuer: string;
  client_id: string;
  client_secret: string;
  allow_http_issuer: boolean;
}

/**
 * The provider's configuration (discovery), fetched on first use and again after a failure, so a hub started
 * while its provider is down logs in once the provider is back. The failure is logged once until it recovers.
 */
export class LazyProvider {
  private pending: Promise<oidc.Configuration> | null = null;
  private failedLogged = false;

  constructor(
    private readonly s: ProviderSettings,
    private readonly log: Logger,
  ) {}

  get(): Promise<oidc.Configuration> {
    this.pending ??= this.discover().catch((err: unknown) => {
      this.pending = null;
      if (!this.failedLogged) {
        this.failedLogged = true;
        this.log.warn({ issuer: this.s.issuer, err: err instanceof Error ? err.message : String(err) }, 'OpenID provider discovery failed; retried at the next login');
      }
      throw err;
    });
    return this.pending;
  }

  private async discover(): Promise<oidc.Configuration> {
    const auth = this.s.client_secret === '' ? oidc.None() : oidc.ClientSecretBasic(this.s.client_secret);
    const config = await oidc.discovery(new URL(this.s.issuer), this.s.client_id, undefined, auth, {
      execute: this.s.allow_http_issuer ? [oidc.allowInsecureRequests] : [],
    });
    // Verify the ID token's signature against the provider's JWKS, not only trust the TLS channel it came over.
    oidc.enableNonRepudiationChecks(config);
    if (this.failedLogged) this.log.info({ issuer: this.s.issuer }, 'OpenID provider discovered');
    this.failedLogged = false;
    return config;
  }
}
