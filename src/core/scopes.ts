/**
 * JupyterHub's scopes (issue 16), pure: the vocabulary and its hierarchy, filters (`!user=`, `!group=`,
 * `!server=`), expansion, the intersection of a token's scopes with its owner's, and the one check routes and
 * the proxy ask. nbhub's own resources (usage, executions, processes, clusters, audit) join the vocabulary.
 */

/** Each scope and the scopes it implies directly (JupyterHub's hierarchy where it has one). */
const HIERARCHY: Readonly<Record<string, readonly string[]>> = {
  'admin:users': ['users', 'admin:auth_state'],
  users: ['read:users', 'list:users', 'users:activity'],
  'read:users': ['read:users:name', 'read:users:groups', 'read:users:activity'],
  'users:activity': ['read:users:activity'],
  'admin:servers': ['servers', 'admin:server_state'],
  servers: ['read:servers', 'delete:servers'],
  'admin:groups': ['groups'],
  groups: ['read:groups', 'list:groups'],
  'read:groups': ['read:groups:name'],
  tokens: ['read:tokens'],
  'admin:clusters': ['clusters'],
  clusters: ['read:clusters'],
  processes: ['read:processes'],
  'read:services': ['read:services:name'],
  'read:users:name': [],
  'read:users:groups': [],
  'read:users:activity': [],
  'list:users': [],
  'read:servers': [],
  'delete:servers': [],
  'access:servers': [],
  'admin:server_state': [],
  'admin:auth_state': [],
  'read:groups:name': [],
  'list:groups': [],
  'read:tokens': [],
  'read:roles': [],
  'read:metrics': [],
  'read:hub': [],
  'read:services:name': [],
  'read:usage': [],
  'read:executions': [],
  'read:processes': [],
  'read:clusters': [],
  'read:audit': [],
  'admin-ui': [],
};

/** Scopes that stand for others and never reach a check: replaced while expanding. */
export const META_SCOPES = ['self', 'inherit', 'all'] as const;

/** Every concrete scope name nbhub knows. */
export const SCOPE_NAMES: readonly string[] = Object.keys(HIERARCHY);

/** What the `user` role's `self` means before it is narrowed to the owner (`!user=NAME`). */
export const SELF_SCOPES: readonly string[] = [
  'read:users',
  'users:activity',
  'servers',
  'access:servers',
  'tokens',
  'read:groups:name',
  'read:usage',
  'read:executions',
  'processes',
  'read:clusters',
];

export type FilterKind = 'user' | 'group' | 'server';

export interface ParsedScope {
  name: string;
  filter?: { kind: FilterKind; value: string };
}

/** Parses `name` or `name!kind=value`; undefined when it is not a scope nbhub knows or its filter is malformed. */
export const parseScope = (raw: string): ParsedScope | undefined => {
  const bang = raw.indexOf('!');
  const name = bang < 0 ? raw : raw.slice(0, bang);
  if (!(name in HIERARCHY) && !(META_SCOPES as readonly string[]).includes(name)) return undefined;
  if (bang < 0) return { name };
  const m = /^(user|group|server)=(.+)$/.exec(raw.slice(bang + 1));
  if (!m || (META_SCOPES as readonly string[]).includes(name)) return undefined;
  const kind = m[1] as FilterKind;
  const value = m[2]!;
  if (kind === 'server' && !/^[^/]+\/[^/]*$/.test(value)) return undefined;
  return { name, filter: { kind, value } };
};

/** The scopes among `raw` nbhub does not know (for a 400 or a start-up error naming them). */
export const unknownScopes = (raw: readonly string[]): string[] => raw.filter((s) => parseScope(s) === undefined);

/** Where a scope applies: everywhere, or to the users, groups and servers (`user/name`) listed. */
export interface Grant {
  all: boolean;
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  servers: ReadonlySet<string>;
}

/** Expanded scopes: every concrete scope held, each with where it applies. */
export type ScopeSet = ReadonlyMap<string, Grant>;

interface MutableGrant {
  all: boolean;
  users: Set<string>;
  groups: Set<string>;
  servers: Set<string>;
}

const emptyGrant = (): MutableGrant => ({ all: false, users: new Set(), groups: new Set(), servers: new Set() });

/** A scope's name and every name it implies. */
export const implied = (name: string): string[] => {
  const out: string[] = [];
  const visit = (n: string): void => {
    if (out.includes(n)) return;
    out.push(n);
    for (const c of HIERARCHY[n] ?? []) visit(c);
  };
  visit(name);
  return out;
};

const addTo = (into: Map<string, MutableGrant>, name: string, filter: ParsedScope['filter']): void => {
  for (const n of implied(name)) {
    let g = into.get(n);
    if (!g) into.set(n, (g = emptyGrant()));
    if (!filter) g.all = true;
    else if (filter.kind === 'user') g.users.add(filter.value);
    else if (filter.kind === 'group') g.groups.add(filter.value);
    else g.servers.add(filter.value);
  }
};

export interface ExpandContext {
  /** The owner `self` narrows to; without one (a service), `self` grants nothing. */
  owner?: string | undefined;
  /** What `inherit` stands for (a token's owner's scopes); without one, nothing. */
  inherit?: ScopeSet | undefined;
}

/**
 * Expands raw scopes (already validated) into a ScopeSet: the hierarchy applied, `self` as the owner's own
 * scopes, `inherit` as the context's set, `all` as every scope. Unknown names are ignored here; validate first.
 */
export const expandScopes = (raw: readonly string[], ctx: ExpandContext = {}): ScopeSet => {
  const out = new Map<string, MutableGrant>();
  for (const r of raw) {
    const p = parseScope(r);
    if (!p) continue;
    if (p.name === 'self') {
      if (ctx.owner !== undefined) for (const s of SELF_SCOPES) addTo(out, s, { kind: 'user', value: ctx.owner });
    } else if (p.name === 'all') {
      for (const s of SCOPE_NAMES) addTo(out, s, undefined);
    } else if (p.name === 'inherit') {
      if (ctx.inherit) mergeInto(out, ctx.inherit);
    } else addTo(out, p.name, p.filter);
  }
  return out;
};

const mergeInto = (into: Map<string, MutableGrant>, from: ScopeSet): void => {
  for (const [n, g] of from) {
    let m = into.get(n);
    if (!m) into.set(n, (m = emptyGrant()));
    m.all ||= g.all;
    for (const u of g.users) m.users.add(u);
    for (const x of g.groups) m.groups.add(x);
    for (const s of g.servers) m.servers.add(s);
  }
};

/** The union of scope sets (a user's roles). */
export const unionScopes = (...sets: readonly ScopeSet[]): ScopeSet => {
  const out = new Map<string, MutableGrant>();
  for (const s of sets) mergeInto(out, s);
  return out;
};

/** Membership facts an intersection may need: the groups of a user named in a filter. */
export type GroupsOf = (user: string) => readonly string[];

/**
 * A token's scopes ∩ its owner's (JupyterHub's intersection): a scope survives where both hold it; where both
 * are filtered, a token filter survives when an owner filter covers it (the same one, a user covering their
 * servers, a group covering its members and their servers).
 */
export const intersectScopes = (token: ScopeSet, owner: ScopeSet, groupsOf: GroupsOf = () => []): ScopeSet => {
  const out = new Map<string, MutableGrant>();
  for (const [n, t] of token) {
    const o = owner.get(n);
    if (!o) continue;
    if (o.all) {
      out.set(n, { all: t.all, users: new Set(t.users), groups: new Set(t.groups), servers: new Set(t.servers) });
      continue;
    }
    const g = emptyGrant();
    if (t.all) {
      g.users = new Set(o.users);
      g.groups = new Set(o.groups);
      g.servers = new Set(o.servers);
    } else {
      const userCovered = (u: string): boolean => o.users.has(u) || groupsOf(u).some((x) => o.groups.has(x));
      for (const u of t.users) if (userCovered(u)) g.users.add(u);
      for (const x of t.groups) if (o.groups.has(x)) g.groups.add(x);
      for (const s of t.servers) if (o.servers.has(s) || userCovered(s.slice(0, s.indexOf('/')))) g.servers.add(s);
      // A token's group filter wider than the owner's users: the owner's users in that group survive.
      for (const u of o.users) if (groupsOf(u).some((x) => t.groups.has(x))) g.users.add(u);
      for (const s of o.servers) if (t.users.has(s.slice(0, s.indexOf('/')))) g.servers.add(s);
    }
    if (g.all || g.users.size || g.groups.size || g.servers.size) out.set(n, g);
  }
  return out;
};

/** What a check is about: a user (with their groups when group filters should count) and maybe one server. */
export interface ScopeTarget {
  user: string;
  server?: string | undefined;
  groups?: readonly string[] | undefined;
}

/** Whether `scopes` grant `scope` on `target` (or everywhere, without a target). */
export const allows = (scopes: ScopeSet, scope: string, target?: ScopeTarget): boolean => {
  const g = scopes.get(scope);
  if (!g) return false;
  if (g.all) return true;
  if (!target) return false;
  if (g.users.has(target.user)) return true;
  if (target.groups?.some((x) => g.groups.has(x))) return true;
  return target.server !== undefined && g.servers.has(`${target.user}/${target.server}`);
};

/** Whether `scopes` hold `scope` anywhere at all (the door to a list, whose items are then filtered). */
export const holdsAny = (scopes: ScopeSet, scope: string): boolean => scopes.has(scope);

/** Group filters a set mentions: the resolver looks their members up once, for checks without the groups at hand. */
export const filterGroups = (scopes: ScopeSet): string[] => {
  const out = new Set<string>();
  for (const g of scopes.values()) for (const x of g.groups) out.add(x);
  return [...out];
};

/** Adds each group filter's current members as user filters, so a check without the target's groups still sees them. */
export const withGroupMembers = (scopes: ScopeSet, members: ReadonlyMap<string, readonly string[]>): ScopeSet => {
  const out = new Map<string, MutableGrant>();
  mergeInto(out, scopes);
  for (const g of out.values()) for (const x of g.groups) for (const u of members.get(x) ?? []) g.users.add(u);
  return out;
};

/** A ScopeSet back as JupyterHub writes scopes (`name`, `name!user=x` …), sorted: for GET /hub/api/user. */
export const formatScopes = (scopes: ScopeSet): string[] => {
  const out: string[] = [];
  for (const [n, g] of scopes) {
    if (g.all) {
      out.push(n);
      continue;
    }
    for (const u of g.users) out.push(`${n}!user=${u}`);
    for (const x of g.groups) out.push(`${n}!group=${x}`);
    for (const s of g.servers) out.push(`${n}!server=${s}`);
  }
  return out.sort();
};

/** Whether `scopes` grant `scope` on the group `group` (unfiltered, or a `!group=` filter naming it). */
export const allowsGroup = (scopes: ScopeSet, scope: string, group: string): boolean => {
  const g = scopes.get(scope);
  return g !== undefined && (g.all || g.groups.has(group));
};
