import { describe, expect, it } from 'vitest';
import { ldapVerdict } from './ldap.js';

const ADMINS = 'cn=hub-admins,ou=groups,dc=example,dc=org';
const USERS = 'cn=hub-users,ou=groups,dc=example,dc=org';
/** Found groups as the authenticator keeps them: normalised DN → cn. */
const found = (...cns: (string | undefined)[]) => new Map(cns.map((cn, i) => [`cn=${cn ?? `x${i}`},ou=groups,dc=example,dc=org`, cn]));

describe('ldapVerdict', () => {
  const c = { allowed_groups: [USERS], admin_groups: [' CN=Hub-Admins, ou=groups,dc=example,dc=org'], group_search_base: 'ou=groups,dc=example,dc=org' };
  it('allows members of an allowed group and makes members of an admin group admin (DNs compared normalised)', () => {
    expect(ldapVerdict(c, found('hub-users', 'hub-admins'))).toEqual({ allowed: true, admin: true, groups: ['hub-admins', 'hub-users'] });
    expect(ldapVerdict(c, found('hub-users'))).toEqual({ allowed: true, admin: false, groups: ['hub-users'] });
    expect(ldapVerdict(c, found('staff')).allowed).toBe(false);
    expect(ldapVerdict({ ...c, admin_groups: [ADMINS] }, found('hub-admins')).allowed).toBe(false);
  });
  it('leaves admin and groups to the hub when the config does not manage them, and skips unusable group names', () => {
    expect(ldapVerdict({ allowed_groups: [], admin_groups: [], group_search_base: '' }, found('a'))).toEqual({ allowed: true, admin: null, groups: null });
    expect(ldapVerdict({ ...c, allowed_groups: [] }, found('ok', '../x', undefined, 'ok')).groups).toEqual(['ok']);
  });
});
