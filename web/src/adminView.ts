import type { LiveAnswer, LiveServer, ServerModel, UserModel, UserPage } from './types.js';

/** What the admin page asks the users API for; kept in the address bar so a reload or a link shows the same. */
export type AdminSort = 'name' | '-name' | '-last_activity' | 'last_activity' | 'state' | 'cpu' | 'memory';
export type AdminFilter = 'all' | 'running' | 'failed' | 'idle';
export type IdleUnit = 'minutes' | 'hours';

export interface AdminQuery {
  search: string;
  sort: AdminSort;
  filter: AdminFilter;
  /** With filter 'idle': a running server idle for at least this long. */
  idle: number;
  idleUnit: IdleUnit;
  offset: number;
}

export const ADMIN_PAGE_SIZE = 50;

export const SORT_LABELS: Record<AdminSort, string> = {
  name: 'Name (A–Z)',
  '-name': 'Name (Z–A)',
  '-last_activity': 'Last activity (recent first)',
  last_activity: 'Last activity (oldest first)',
  state: 'State (running first)',
  cpu: 'CPU now (running users)',
  memory: 'Memory now (running users)',
};

export const FILTER_LABELS: Record<AdminFilter, string> = {
  all: 'All users',
  running: 'Running',
  failed: 'Failed',
  idle: 'Idle for more than…',
};

const SORTS = Object.keys(SORT_LABELS) as AdminSort[];
const FILTERS = Object.keys(FILTER_LABELS) as AdminFilter[];

export const DEFAULT_QUERY: AdminQuery = { search: '', sort: 'name', filter: 'all', idle: 60, idleUnit: 'minutes', offset: 0 };

const oneOf = <T extends string>(v: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(v as T) ? (v as T) : fallback);

/** The admin page's query from the address bar's search part; anything unreadable falls back to the default. */
export const parseAdminQuery = (search: string): AdminQuery => {
  const p = new URLSearchParams(search);
  const idle = Number(p.get('idle'));
  const offset = Number(p.get('offset'));
  return {
    search: p.get('q') ?? '',
    sort: oneOf(p.get('sort'), SORTS, DEFAULT_QUERY.sort),
    filter: oneOf(p.get('filter'), FILTERS, DEFAULT_QUERY.filter),
    idle: Number.isInteger(idle) && idle > 0 ? idle : DEFAULT_QUERY.idle,
    idleUnit: oneOf(p.get('unit'), ['minutes', 'hours'] as const, DEFAULT_QUERY.idleUnit),
    offset: Number.isInteger(offset) && offset > 0 ? offset - (offset % ADMIN_PAGE_SIZE) : 0,
  };
};

/** The address bar's search part for a query: only what differs from the default. */
export const adminQueryString = (q: AdminQuery): string => {
  const p = new URLSearchParams();
  if (q.search !== '') p.set('q', q.search);
  if (q.sort !== DEFAULT_QUERY.sort) p.set('sort', q.sort);
  if (q.filter !== DEFAULT_QUERY.filter) p.set('filter', q.filter);
  if (q.filter === 'idle') {
    p.set('idle', String(q.idle));
    p.set('unit', q.idleUnit);
  }
  if (q.offset > 0) p.set('offset', String(q.offset));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
};

/** CPU and memory now are readings, not stored: sorting by them takes every running user and sorts in the browser. */
export const sortsByLive = (q: AdminQuery): q is AdminQuery & { sort: 'cpu' | 'memory' } => (q.sort === 'cpu' || q.sort === 'memory') && q.filter !== 'failed';

/**
 * The users API's query string for a page. Name, activity and state sort on the hub, over every user. Sorting by
 * CPU or memory now asks for every user with a server running (only they have a figure), from `offset`, by name.
 */
export const usersSearch = (q: AdminQuery, limit = ADMIN_PAGE_SIZE): string => {
  const p = new URLSearchParams({ include_stopped_servers: '1', offset: String(q.offset), limit: String(limit) });
  if (q.search.trim() !== '') p.set('search', q.search.trim());
  p.set('sort', q.sort === 'cpu' || q.sort === 'memory' ? 'name' : q.sort);
  if (q.filter === 'running' || (sortsByLive(q) && q.filter === 'all')) p.set('state', 'active');
  if (q.filter === 'failed') p.set('state', 'failed');
  if (q.filter === 'idle') p.set('idle_for', String(q.idle * (q.idleUnit === 'hours' ? 3600 : 60)));
  return p.toString();
};

/** The live figures of a page, by server and by user; a server or user missing from the answer has none. */
export interface LiveIndex {
  server: (user: string, server: string) => LiveServer | undefined;
  user: (user: string) => { cpu: number | null; memory: number | null } | undefined;
}

export const liveIndex = (live: LiveAnswer | undefined): LiveIndex => {
  const servers = new Map((live?.servers ?? []).map((s) => [`${s.user}\u0000${s.server}`, s]));
  const users = new Map((live?.users ?? []).map((u) => [u.user, u]));
  return { server: (u, s) => servers.get(`${u}\u0000${s}`), user: (u) => users.get(u) };
};

/** Users by a live figure, largest first; users without one ("—") last, by name. */
export const sortByLive = (users: readonly UserModel[], live: LiveIndex, key: 'cpu' | 'memory'): UserModel[] => {
  const figure = (u: UserModel) => live.user(u.name)?.[key] ?? null;
  return [...users].sort((a, b) => {
    const fa = figure(a);
    const fb = figure(b);
    if (fa === null || fb === null) return fa === fb ? a.name.localeCompare(b.name) : fa === null ? 1 : -1;
    return fb - fa || a.name.localeCompare(b.name);
  });
};

/** One page of `users` sorted by a live figure, as the users API would answer it (for the pager). */
export const livePage = (users: readonly UserModel[], live: LiveIndex, key: 'cpu' | 'memory', offset: number, limit = ADMIN_PAGE_SIZE): UserPage => {
  const items = sortByLive(users, live, key).slice(offset, offset + limit);
  const next = offset + limit < users.length ? { offset: offset + limit, limit } : null;
  return { items, _pagination: { offset, limit, total: users.length, next } };
};

/** A user's servers as the admin table lists them: the default first, then by name. */
export const serversOf = (u: UserModel): ServerModel[] =>
  Object.values(u.servers).sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : a.name.localeCompare(b.name)));

/** Whether stopping makes sense: running, or still starting. */
export const stoppable = (s: ServerModel): boolean => s.nbhub.state === 'running' || s.nbhub.state === 'pending';

/** "user\0server": the key of a selected server. */
export const serverKey = (user: string, server: string): string => `${user}\u0000${server}`;
export const splitKey = (key: string): { user: string; server: string } => {
  const i = key.indexOf('\u0000');
  return { user: key.slice(0, i), server: key.slice(i + 1) };
};

/**
 * A failure as the reader should see it: what happened for everyone; the setting to change only for admins (the
 * hub's message names it, e.g. "If it needs longer, raise profiles.x.start_timeout_seconds (NBHUB_…)").
 */
export const failureText = (message: string | null, admin: boolean): { what: string; adminHint: string | null } => {
  const text = message ?? 'The server stopped unexpectedly.';
  const at = text.search(/\s*If it needs longer, raise /);
  if (at < 0) return { what: text, adminHint: null };
  return { what: text.slice(0, at), adminHint: admin ? text.slice(at).trim() : null };
};
