import { describe, expect, it } from 'vitest';
import type { PasswordAuthenticator } from '../core/authenticator.js';
import { LoginThrottle, type ThrottleSettings } from './login-throttle.js';
import { throttledAuthenticator } from './throttled-authenticator.js';

const settings: ThrottleSettings = { failuresBeforeDelay: 3, delaySeconds: 10, maxDelaySeconds: 60, failuresPerAddress: 20, windowSeconds: 300, maxTracked: 1000 };
const S = 1000;

describe('LoginThrottle', () => {
  it('holds a username back from one address after N failures, with a growing delay up to the maximum', () => {
    const t = new LoginThrottle(settings);
    let now = 0;
    for (let i = 0; i < 2; i++) t.failed('alice', 'A', now);
    expect(t.check('alice', 'A', now)).toEqual({ allowed: true });
    t.failed('alice', 'A', now);
    expect(t.check('alice', 'A', now)).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    now += 10 * S;
    expect(t.check('alice', 'A', now).allowed).toBe(true);
    t.failed('alice', 'A', now);
    expect(t.check('alice', 'A', now)).toMatchObject({ allowed: false, retryAfterSeconds: 20 });
    now += 20 * S;
    t.failed('alice', 'A', now);
    expect(t.check('alice', 'A', now)).toMatchObject({ allowed: false, retryAfterSeconds: 40 });
    now += 40 * S;
    t.failed('alice', 'A', now);
    expect(t.check('alice', 'A', now)).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    expect(t.check('alice', 'A', now + 59_500)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
  });

  it('never holds back the same username from another address (no lockout from elsewhere), nor other names', () => {
    const t = new LoginThrottle(settings);
    for (let i = 0; i < 10; i++) t.failed('alice', 'A', 0);
    expect(t.check('alice', 'A', 0).allowed).toBe(false);
    expect(t.check('ALICE', 'A', 0).allowed).toBe(false);
    expect(t.check('alice', 'B', 0)).toEqual({ allowed: true });
    expect(t.check('bob', 'A', 0)).toEqual({ allowed: true });
  });

  it('caps failures from one address across usernames until the window passes', () => {
    const t = new LoginThrottle(settings);
    for (let i = 0; i < 20; i++) t.failed(`user${i}`, 'A', i * S);
    expect(t.check('fresh', 'A', 20 * S)).toMatchObject({ allowed: false, retryAfterSeconds: 280 });
    expect(t.check('fresh', 'B', 20 * S).allowed).toBe(true);
    expect(t.check('fresh', 'A', 300 * S).allowed).toBe(true);
  });

  it('starts a pair afresh after the right password, and forgets quiet pairs after the window', () => {
    const t = new LoginThrottle(settings);
    for (let i = 0; i < 2; i++) t.failed('alice', 'A', 0);
    t.succeeded('alice', 'A');
    t.failed('alice', 'A', 0);
    expect(t.check('alice', 'A', 0).allowed).toBe(true);
    for (let i = 0; i < 5; i++) t.failed('bob', 'A', 0);
    expect(t.check('bob', 'A', 0).allowed).toBe(false);
    // The wait ends at 60 s (capped); a window later the failures are forgotten: 2 more failures do not hold it back.
    t.failed('bob', 'A', 400 * S);
    t.failed('bob', 'A', 400 * S);
    expect(t.check('bob', 'A', 400 * S).allowed).toBe(true);
  });

  it('keeps at most maxTracked entries of each kind', () => {
    const t = new LoginThrottle({ ...settings, maxTracked: 100 });
    for (let i = 0; i < 1000; i++) t.failed(`u${i}`, `10.0.${i >> 8}.${i & 255}`, 0);
    expect(t.size).toBe(200);
  });
});

describe('throttledAuthenticator', () => {
  it('answers 429 with Retry-After without asking the authenticator, and counts only its failures', async () => {
    let asked = 0;
    const inner: PasswordAuthenticator = {
      kind: 'local',
      login: async (name, password) => {
        asked++;
        return password === 'right' ? { ok: true, user: { name, admin: null, groups: null, via: 'password' } } : { ok: false, reason: 'wrong password' };
      },
    };
    let now = 0;
    const a = throttledAuthenticator(inner, new LoginThrottle(settings), { now: () => now });
    for (let i = 0; i < 3; i++) expect((await a.login('alice', 'wrong', { ip: 'A' })).ok).toBe(false);
    expect(await a.login('alice', 'right', { ip: 'A' })).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 10 });
    expect(asked).toBe(3);
    expect((await a.login('alice', 'right', { ip: 'B' })).ok).toBe(true);
    now += 10 * S;
    expect((await a.login('alice', 'right', { ip: 'A' })).ok).toBe(true);
  });
});
