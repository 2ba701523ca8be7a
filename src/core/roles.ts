import type { Identity } from './identity.js';
import { expandScopes, SCOPE_NAMES, unionScopes, type ScopeSet } from './scopes.js';

/** A role (JupyterHub's): a name, scopes, and who holds it. */
export interface Role {
  name: string;
  description: string;
  scopes: readonly string[];
  users: readonly string[];
  groups: readonly string[];
  services: readonly string[];
}

/** nbhub's auditor: reads everything an inquiry needs, changes nothing, enters no runtime. */
const AUDITOR_SCOPES = [
  'read:users',
  'list:users',
  'read:servers',
  'read:groups',
  'list:groups',
  'read:usage',
  'read:executions',
  'read:processes',
  'read:clusters',
  'read:metrics',
  'read:audit',
  'read:roles',
  'read:services',
  'read:hub',
];

const builtin = (name: string, description: string, scopes: readonly string[]): Role => ({ name, description, scopes, users: [], groups: [], services: [] });

export const BUILTIN_ROLES: readonly Role[] = [
  builtin('user', 'Everyone: their own resources', ['self']),
  builtin('admin', 'Administrators: everything', SCOPE_NAMES),
  builtin('token', "A token's default: its owner's rights", ['inherit']),
  builtin('auditor', 'Reads users, servers, groups, usage, executions, processes, clusters, metrics and audit; changes nothing', AUDITOR_SCOPES),
];

/**
 * The roles in force: the built-in ones (holders added from config entries of the same name) and the config's.
 * Pure; the config's scope names were validated at load.
 */
export type RoleInput = Omit<Role, 'scopes'> & { scopes?: readonly string[] | undefined };

export const resolveRoles = (config: readonly RoleInput[] = []): Role[] => {
  const out = new Map(BUILTIN_ROLES.map((r) => [r.name, { ...r }]));
  for (const c of config) {
    const b = out.get(c.name);
    if (b && BUILTIN_ROLES.some((r) => r.name === c.name)) {
      out.set(c.name, { ...b, users: [...b.users, ...c.users], groups: [...b.groups, ...c.groups], services: [...b.services, ...c.services] });
    } else out.set(c.name, { name: c.name, description: c.description, scopes: c.scopes ?? [], users: c.users, groups: c.groups, services: c.services });
  }
  return [...out.values()];
};

/** Who a scope set is for: a user (with their admin flag and groups) or a service. */
export type Holder = { kind: 'user'; name: string; admin: boolean; groups: readonly string[] } | { kind: 'service'; name: string; admin: boolean };

/** The names of the roles a holder has: admin flag's role, `user` for every user, and those listing them or their groups. */
export const rolesOf = (roles: readonly Role[], who: Holder): string[] => {
  const out = new Set<string>();
  if (who.kind === 'user') out.add('user');
  if (who.admin) out.add('admin');
  for (const r of roles) {
    if (who.kind === 'user' && (r.users.includes(who.name) || r.groups.some((g) => who.groups.includes(g)))) out.add(r.name);
    if (who.kind === 'service' && r.services.includes(who.name)) out.add(r.name);
  }
  return [...out];
};

/** A holder's expanded scopes: the union of their roles'. */
export const scopesOf = (roles: readonly Role[], who: Holder): ScopeSet => {
  const names = new Set(rolesOf(roles, who));
  const owner = who.kind === 'user' ? who.name : undefined;
  return unionScopes(...roles.filter((r) => names.has(r.name)).map((r) => expandScopes(r.scopes, { owner })));
};

/** Raw scopes of the named roles (for a token asked for with `roles`); unknown names are returned apart. */
export const scopesOfRoles = (roles: readonly Role[], names: readonly string[]): { scopes: string[]; unknown: string[] } => {
  const scopes: string[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const r = roles.find((x) => x.name === n);
    if (r) scopes.push(...r.scopes);
    else unknown.push(n);
  }
  return { scopes, unknown };
};

/** A user's identity with the built-in roles' scopes (their admin flag's): where no config roles apply (tests, runtimes' owners). */
export const builtinIdentity = (user: string, admin: boolean, via: 'token' | 'cookie' = 'token'): Identity => ({
  user,
  admin,
  via,
  scopes: scopesOf(BUILTIN_ROLES, { kind: 'user', name: user, admin, groups: [] }),
});
