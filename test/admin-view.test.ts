/** The admin page's pure parts (web/src/adminView.ts): its query, the users API's query string, live sorting, failure text. */
import { describe, expect, it } from 'vitest';
import { adminQueryString, DEFAULT_QUERY, failureText, liveIndex, livePage, parseAdminQuery, sortByLive, sortsByLive, usersSearch } from '../web/src/adminView.js';
import type { UserModel } from '../web/src/types.js';

const user = (name: string): UserModel => ({ name, admin: false, last_activity: null, servers: {} });

describe('admin page query', () => {
  it('reads back what it writes to the address bar, and ignores what it cannot read', () => {
    const q = { ...DEFAULT_QUERY, search: 'ali', sort: '-last_activity' as const, filter: 'idle' as const, idle: 2, idleUnit: 'hours' as const, offset: 100 };
    expect(parseAdminQuery(adminQueryString(q))).toEqual(q);
    expect(adminQueryString(DEFAULT_QUERY)).toBe('');
    expect(parseAdminQuery('?sort=bogus&filter=x&idle=-3&offset=73')).toEqual({ ...DEFAULT_QUERY, offset: 50 });
  });

  it('asks the hub for the page, its filters and its order; CPU and memory sort by name on the hub', () => {
    const p = (q: Partial<typeof DEFAULT_QUERY>) => Object.fromEntries(new URLSearchParams(usersSearch({ ...DEFAULT_QUERY, ...q })));
    expect(p({})).toEqual({ include_stopped_servers: '1', offset: '0', limit: '50', sort: 'name' });
    expect(p({ search: '  nb ', filter: 'running', offset: 50 })).toMatchObject({ search: 'nb', state: 'active', offset: '50' });
    expect(p({ filter: 'failed' })).toMatchObject({ state: 'failed' });
    expect(p({ filter: 'idle', idle: 2, idleUnit: 'hours' })).toMatchObject({ idle_for: '7200' });
    expect(p({ filter: 'idle', idle: 30, idleUnit: 'minutes' })).toMatchObject({ idle_for: '1800' });
    // By a reading: every user with a server running (only they have a figure), by name from the hub.
    expect(p({ sort: 'cpu' })).toMatchObject({ sort: 'name', state: 'active' });
    expect(sortsByLive({ ...DEFAULT_QUERY, sort: 'memory' })).toBe(true);
    expect(sortsByLive({ ...DEFAULT_QUERY, sort: 'cpu', filter: 'failed' })).toBe(false);
    expect(p({ sort: 'cpu', filter: 'failed' })).toMatchObject({ state: 'failed' });
  });
});

describe('live figures on the admin page', () => {
  const live = liveIndex({
    t: '2030-01-01T00:00:00Z',
    servers: [{ user: 'b', server: '', cpu: 0.5, memory: 100, kernels: 1 }],
    users: [
      { user: 'a', cpu: null, memory: null },
      { user: 'b', cpu: 0.5, memory: 100 },
      { user: 'c', cpu: 2, memory: 50 },
    ],
  });

  it('finds a server and a user, and nothing for those absent', () => {
    expect(live.server('b', '')?.cpu).toBe(0.5);
    expect(live.server('b', 'x')).toBeUndefined();
    expect(liveIndex(undefined).user('b')).toBeUndefined();
  });

  it('sorts largest first, users without a figure last by name', () => {
    const users = ['d', 'a', 'b', 'c'].map(user);
    expect(sortByLive(users, live, 'cpu').map((u) => u.name)).toEqual(['c', 'b', 'a', 'd']);
    expect(sortByLive(users, live, 'memory').map((u) => u.name)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('pages users sorted by a reading as the users API pages them', () => {
    const users = ['d', 'a', 'b', 'c'].map(user);
    const first = livePage(users, live, 'cpu', 0, 3);
    expect(first.items.map((u) => u.name)).toEqual(['c', 'b', 'a']);
    expect(first._pagination).toEqual({ offset: 0, limit: 3, total: 4, next: { offset: 3, limit: 3 } });
    expect(livePage(users, live, 'cpu', 3, 3)).toMatchObject({ items: [{ name: 'd' }], _pagination: { next: null } });
  });
});

describe('what a failure says, to whom', () => {
  const timeout = 'The runtime was not ready within 60 s and was stopped. If it needs longer, raise profiles.lab.start_timeout_seconds (NBHUB_PROFILES_LAB_START_TIMEOUT_SECONDS).';
  it('shows the setting to change to admins only', () => {
    expect(failureText(timeout, false)).toEqual({ what: 'The runtime was not ready within 60 s and was stopped.', adminHint: null });
    expect(failureText(timeout, true).adminHint).toBe('If it needs longer, raise profiles.lab.start_timeout_seconds (NBHUB_PROFILES_LAB_START_TIMEOUT_SECONDS).');
    expect(failureText(null, false).what).toBe('The server stopped unexpectedly.');
    expect(failureText('The runtime exited with status 3.', true)).toEqual({ what: 'The runtime exited with status 3.', adminHint: null });
  });
});
