import { ldapAuthenticator } from '../../accounts/authenticators/ldap.js';
import { localAuthenticator } from '../../accounts/authenticators/local.js';
import { LoginThrottle } from '../../accounts/login-throttle.js';
import { throttledAuthenticator } from '../../accounts/throttled-authenticator.js';
import type { Config } from '../../config/schema.js';
import type { PasswordAuthenticator } from '../../core/authenticator.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { OidcLoginService } from '../../accounts/oidc/login.js';
import type { IdGenerator } from '../../core/ids.js';
import type { IdentityCache } from '../../core/identity.js';
import type { OidcLogin } from '../../core/oidc-login.js';
import type { Store } from '../../core/store.js';
import type { AuditTrail } from '../../core/audit.js';

/** The password checker POST /hub/login asks, chosen by config `auth.authenticator`, behind the failed-login limits (auth.local.*). */
export const createAuthenticator = (d: { config: Readonly<Config>; store: Store; clock: Clock; log: Logger }): PasswordAuthenticator => {
  const inner = d.config.auth.authenticator === 'ldap' ? ldapAuthenticator(d.config.auth.ldap, d.log) : localAuthenticator(d.store);
  const l = d.config.auth.local;
  const throttle = new LoginThrottle({
    failuresBeforeDelay: l.failures_before_delay,
    delaySeconds: l.delay_seconds,
    maxDelaySeconds: l.max_delay_seconds,
    failuresPerAddress: l.failures_per_address,
    windowSeconds: l.window_seconds,
    maxTracked: l.max_tracked,
  });
  return throttledAuthenticator(inner, throttle, d.clock);
};

/** The OpenID Connect login when config auth.authenticator is oidc (else undefined: /hub/oauth_login answers 404). */
export const createOidcLogin = (d: { config: Readonly<Config>; store: Store; identity: IdentityCache; clock: Clock; ids: IdGenerator; log: Logger; auditTrail?: AuditTrail }): OidcLogin | undefined =>
  d.config.auth.authenticator === 'oidc' ? new OidcLoginService(d) : undefined;
