import { describe, expect, it } from 'vitest';
import { mayUseProfile } from './profile-access.js';
import { BUILTIN_ROLES, resolveRoles, rolesOf, scopesOf } from './roles.js';
import { allows, expandScopes, formatScopes, intersectScopes, parseScope, unknownScopes, withGroupMembers } from './scopes.js';

describe('scopes', () => {
  it('parses names and filters, refusing unknown names and malformed filters', () => {
    expect(parseScope('read:users!group=physics')).toEqual({ name: 'read:users', filter: { kind: 'group', value: 'physics' } });
    expect(parseScope('servers!server=alice/lab')).toEqual({ name: 'servers', filter: { kind: 'server', value: 'alice/lab' } });
    expect(unknownScopes(['read:users', 'read:userz', 'servers!server=alice', 'servers!host=x', 'self!user=a'])).toEqual(['read:userz', 'servers!server=alice', 'servers!host=x', 'self!user=a']);
  });

  it('expands the hierarchy: admin:users holds users, read:users and read:users:name; read:users does not hold users', () => {
    const s = expandScopes(['admin:users']);
    for (const n of ['admin:users', 'users', 'read:users', 'read:users:name', 'list:users']) expect(allows(s, n)).toBe(true);
    const r = expandScopes(['read:users']);
    expect(allows(r, 'users')).toBe(false);
    expect(allows(expandScopes(['servers']), 'delete:servers')).toBe(true);
    expect(allows(expandScopes(['servers']), 'access:servers')).toBe(false);
  });

  it('applies filters: a user covers their servers, a server filter only that server, a group its members', () => {
    const s = expandScopes(['servers!user=alice', 'read:servers!server=bob/lab', 'read:users!group=physics']);
    expect(allows(s, 'servers', { user: 'alice', server: 'x' })).toBe(true);
    expect(allows(s, 'servers', { user: 'bob', server: 'lab' })).toBe(false);
    expect(allows(s, 'read:servers', { user: 'bob', server: 'lab' })).toBe(true);
    expect(allows(s, 'read:servers', { user: 'bob', server: 'other' })).toBe(false);
    expect(allows(s, 'read:users', { user: 'carol', groups: ['physics'] })).toBe(true);
    expect(allows(s, 'read:users', { user: 'carol' })).toBe(false);
    // Members looked up at resolution stand in for the target's groups.
    expect(allows(withGroupMembers(s, new Map([['physics', ['carol']]])), 'read:users', { user: 'carol' })).toBe(true);
    expect(allows(s, 'read:users')).toBe(false);
  });

  it('expands self to the owner, and inherit to the given set', () => {
    const s = expandScopes(['self'], { owner: 'alice' });
    expect(allows(s, 'access:servers', { user: 'alice' })).toBe(true);
    expect(allows(s, 'access:servers', { user: 'bob' })).toBe(false);
    expect(formatScopes(expandScopes(['self']))).toEqual([]);
    expect(allows(expandScopes(['inherit'], { inherit: s }), 'servers', { user: 'alice' })).toBe(true);
  });

  it("intersects a token's scopes with its owner's: never more than the owner holds", () => {
    const owner = expandScopes(['self'], { owner: 'alice' });
    const token = intersectScopes(expandScopes(['admin:users', 'read:servers']), owner);
    expect(allows(token, 'users', { user: 'alice' })).toBe(false);
    expect(allows(token, 'read:users', { user: 'alice' })).toBe(true);
    expect(allows(token, 'read:servers', { user: 'alice' })).toBe(true);
    expect(allows(token, 'read:servers', { user: 'bob' })).toBe(false);
    expect(allows(token, 'servers', { user: 'alice' })).toBe(false);
    expect(allows(scopesOf(BUILTIN_ROLES, { kind: 'user', name: 'eve', admin: false, groups: [] }), 'read:users', { user: 'bob' })).toBe(false);
    const narrow = intersectScopes(expandScopes(['read:users!group=physics']), expandScopes(['read:users']));
    expect(formatScopes(narrow)).toContain('read:users!group=physics');
    const byGroup = intersectScopes(expandScopes(['read:users!user=carol', 'read:users!user=dan']), expandScopes(['read:users!group=physics']), (u) => (u === 'carol' ? ['physics'] : []));
    expect(formatScopes(byGroup).filter((x) => x.startsWith('read:users!'))).toEqual(['read:users!user=carol']);
  });
});

describe('roles', () => {
  it("gives every user the user role, admins admin, and config roles to their users, groups and services", () => {
    const roles = resolveRoles([
      { name: 'auditor', description: '', users: ['eve'], groups: [], services: [] },
      { name: 'physics-lead', description: '', scopes: ['servers!group=physics', 'read:users!group=physics'], users: [], groups: ['leads'], services: ['monitor'] },
    ]);
    expect(rolesOf(roles, { kind: 'user', name: 'eve', admin: false, groups: [] }).sort()).toEqual(['auditor', 'user']);
    expect(rolesOf(roles, { kind: 'user', name: 'root', admin: true, groups: [] }).sort()).toEqual(['admin', 'user']);
    expect(rolesOf(roles, { kind: 'user', name: 'pat', admin: false, groups: ['leads'] }).sort()).toEqual(['physics-lead', 'user']);
    expect(rolesOf(roles, { kind: 'service', name: 'monitor', admin: false })).toEqual(['physics-lead']);
    const eve = scopesOf(roles, { kind: 'user', name: 'eve', admin: false, groups: [] });
    expect(allows(eve, 'read:usage')).toBe(true);
    expect(allows(eve, 'read:executions')).toBe(true);
    expect(allows(eve, 'servers', { user: 'bob' })).toBe(false);
    expect(allows(eve, 'access:servers', { user: 'bob' })).toBe(false);
    expect(allows(eve, 'tokens', { user: 'bob' })).toBe(false);
    expect(allows(eve, 'servers', { user: 'eve' })).toBe(true);
    const root = scopesOf(roles, { kind: 'user', name: 'root', admin: true, groups: [] });
    expect(allows(root, 'access:servers', { user: 'bob' })).toBe(true);
    expect(allows(scopesOf(roles, { kind: 'service', name: 'other', admin: false }), 'read:users', { user: 'bob' })).toBe(false);
  });

  it('restricts a profile to its groups, admins always passing', () => {
    expect(mayUseProfile([], { admin: false, groups: [] })).toBe(true);
    expect(mayUseProfile(['gpu'], { admin: false, groups: ['cpu'] })).toBe(false);
    expect(mayUseProfile(['gpu'], { admin: false, groups: ['gpu'] })).toBe(true);
    expect(mayUseProfile(['gpu'], { admin: true, groups: [] })).toBe(true);
  });
});
