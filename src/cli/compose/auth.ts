import { ldapAuthenticator } from '../../accounts/authenticators/ldap.js';
import { localAuthenticator } from '../../accounts/authenticators/local.js';
import { LoginThrottle } from '../../accounts/login-throttle.js';
import { throttledAuthenticator } from '../../accounts/throttled-authenticator.js';
import type { Config } from '../../config/schema.js';
import type { PasswordAuthenticator } from '../../core/authenticator.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../core/store.js';

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
