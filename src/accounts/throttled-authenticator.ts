import type { PasswordAuthenticator } from '../core/authenticator.js';
import type { Clock } from '../core/clock.js';
import type { LoginThrottle } from './login-throttle.js';

/** Puts the failed-login limits in front of any password authenticator: a held-back try never reaches it. */
export const throttledAuthenticator = (inner: PasswordAuthenticator, throttle: LoginThrottle, clock: Clock): PasswordAuthenticator => ({
  kind: inner.kind,
  login: async (username, password, context) => {
    const decision = throttle.check(username, context.ip, clock.now());
    if (!decision.allowed) return { ok: false, reason: decision.reason, status: 429, retryAfterSeconds: decision.retryAfterSeconds };
    const outcome = await inner.login(username, password, context);
    if (outcome.ok) throttle.succeeded(username, context.ip);
    else if (outcome.status !== 429) throttle.failed(username, context.ip, clock.now());
    return outcome;
  },
  close: inner.close && (() => inner.close!()),
});
