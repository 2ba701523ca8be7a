import type { Authenticated } from '../../core/authenticator.js';
import { isValidUserName } from '../../core/names.js';

/** What of auth.oidc decides who a provider's claims make of someone. */
export interface ClaimRules {
  username_claim: string;
  groups_claim: string;
  allowed_groups: readonly string[];
  admin_groups: readonly string[];
}

export type ClaimsDecision = { ok: true; user: Authenticated } | { ok: false; reason: string; message: string };

const groupsOf = (value: unknown): string[] => {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((g): g is string => typeof g === 'string' && g !== ''))].sort();
};

/**
 * Who the (already verified) ID token's claims say someone is, or why they may not log in. Pure: the login and
 * each refresh ask it, so a provider-side change of groups is applied the same way both times.
 */
export const decideOidcUser = (claims: Record<string, unknown>, rules: ClaimRules): ClaimsDecision => {
  const raw = claims[rules.username_claim];
  if (typeof raw !== 'string' || raw === '') {
    return { ok: false, reason: `no ${rules.username_claim} claim`, message: `The provider did not say who you are (no "${rules.username_claim}" claim).` };
  }
  // An unverified address could be anyone's: whoever typed it at the provider would become that hub user.
  if (rules.username_claim === 'email' && claims['email_verified'] !== true) {
    return { ok: false, reason: 'email not verified', message: 'Your e-mail address is not verified at the provider.' };
  }
  const name = raw.toLowerCase();
  if (!isValidUserName(name)) {
    return { ok: false, reason: 'invalid user name', message: `"${raw}" cannot be a user name here (lower-case letters, digits, _ . - ; up to 64).` };
  }
  const managed = rules.groups_claim !== '';
  const groups = managed ? groupsOf(claims[rules.groups_claim]) : [];
  if (rules.allowed_groups.length > 0 && !groups.some((g) => rules.allowed_groups.includes(g))) {
    return { ok: false, reason: 'not in allowed_groups', message: 'You are not in a group allowed to use this hub.' };
  }
  const admin = rules.admin_groups.length > 0 ? groups.some((g) => rules.admin_groups.includes(g)) : null;
  return { ok: true, user: { name, admin, groups: managed ? groups : null, via: 'oidc' } };
};
