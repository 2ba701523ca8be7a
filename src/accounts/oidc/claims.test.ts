import { describe, expect, it } from 'vitest';
import { decideOidcUser, type ClaimRules } from './claims.js';

const rules: ClaimRules = { username_claim: 'preferred_username', groups_claim: 'groups', allowed_groups: [], admin_groups: [] };

describe('decideOidcUser', () => {
  it('names the user from the username claim, lower-cased, with groups from the groups claim', () => {
    expect(decideOidcUser({ preferred_username: 'Ada', groups: ['b', 'a', 'a', 3] }, rules)).toEqual({
      ok: true,
      user: { name: 'ada', admin: null, groups: ['a', 'b'], via: 'oidc' },
    });
  });
  it('leaves groups alone when no groups claim is configured', () => {
    const d = decideOidcUser({ preferred_username: 'ada', groups: ['x'] }, { ...rules, groups_claim: '' });
    expect(d.ok && d.user.groups).toBeNull();
  });
  it('refuses a missing or unusable name', () => {
    expect(decideOidcUser({}, rules)).toMatchObject({ ok: false, reason: 'no preferred_username claim' });
    expect(decideOidcUser({ preferred_username: '../x' }, rules)).toMatchObject({ ok: false, reason: 'invalid user name' });
  });
  it('needs email_verified: true when the name is the e-mail address', () => {
    const r = { ...rules, username_claim: 'email' };
    expect(decideOidcUser({ email: 'a@b.c', email_verified: false }, r)).toMatchObject({ ok: false, reason: 'email not verified' });
    expect(decideOidcUser({ email: 'a@b.c' }, r)).toMatchObject({ ok: false, reason: 'email not verified' });
    // Verified, it passes to the name check (the hub's names have no '@', so the claim must fit them).
    expect(decideOidcUser({ email: 'a@b.c', email_verified: true }, r)).toMatchObject({ ok: false, reason: 'invalid user name' });
    expect(decideOidcUser({ email: 'ada', email_verified: true }, r)).toMatchObject({ ok: true, user: { name: 'ada' } });
  });
  it('admits only allowed groups and makes admin_groups admins', () => {
    const r = { ...rules, allowed_groups: ['staff'], admin_groups: ['ops'] };
    expect(decideOidcUser({ preferred_username: 'x', groups: ['other'] }, r)).toMatchObject({ ok: false, reason: 'not in allowed_groups' });
    expect(decideOidcUser({ preferred_username: 'x', groups: ['staff'] }, r)).toMatchObject({ ok: true, user: { admin: false } });
    expect(decideOidcUser({ preferred_username: 'x', groups: 'staff' }, { ...r, allowed_groups: ['staff', 'ops'] })).toMatchObject({ ok: true, user: { admin: false } });
    expect(decideOidcUser({ preferred_username: 'x', groups: ['staff', 'ops'] }, r)).toMatchObject({ ok: true, user: { admin: true } });
  });
});
