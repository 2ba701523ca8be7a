import { localAuthenticator } from '../../accounts/authenticators/local.js';
import { OidcLoginService } from '../../accounts/oidc/login.js';
import type { Config } from '../../config/schema.js';
import type { PasswordAuthenticator } from '../../core/authenticator.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { IdentityCache } from '../../core/identity.js';
import type { Logger } from '../../core/logger.js';
import type { OidcLogin } from '../../core/oidc-login.js';
import type { Store } from '../../core/store.js';
import type { AuditTrail } from '../../core/audit.js';

/** The password checker POST /hub/login asks, chosen by config `auth.authenticator`. */
export const createAuthenticator = (d: { config: Readonly<Config>; store: Store }): PasswordAuthenticator => localAuthenticator(d.store);

/** The OpenID Connect login when config auth.authenticator is oidc (else undefined: /hub/oauth_login answers 404). */
export const createOidcLogin = (d: { config: Readonly<Config>; store: Store; identity: IdentityCache; clock: Clock; ids: IdGenerator; log: Logger; auditTrail?: AuditTrail }): OidcLogin | undefined =>
  d.config.auth.authenticator === 'oidc' ? new OidcLoginService(d) : undefined;
