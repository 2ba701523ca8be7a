import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newServerRecord, type ServerRecord, type UserRecord } from '../core/models.js';
import type { ServerEvent, UsageQuery, UsageRow, UserListQuery } from '../core/store.js';
import type { TestStore } from './testing.js';
// The usage query rides along: its answer must not change with how the store packs rows (test code only;
// store/ itself depends on core/ alone).
import { queryUsage } from '../usage/query.js';
import type { UsageParams } from '../usage/params.js';
import { toSeries } from '../usage/testing.js';
import type { ExecutionRecord } from '../core/executions.js';
import type { SparkJobRecord } from '../core/clusters.js';
import { EXECUTION_UPDATED_COLUMNS, executionToRow } from './execution-rows.js';

/**
 * A second connection to the store's database that runs `statement` in a transaction it leaves open until
 * `commit` (to show writers committing out of order). Absent where writers cannot overlap.
 */
export type HoldWrite = (statement: string) => Promise<{ commit(): Promise<void> }>;

/** One behaviour for every Store; each implementation's test calls this (like hono's common.case.test.ts). */
export const storeContract = (name: string, open: () => Promise<{ store: TestStore; cleanup: () => Promise<void>; holdWrite?: HoldWrite }>): void => {
  describe(`Store contract: ${name}`, () => {
    let store: TestStore;
    let cleanup: () => Promise<void>;
    let holdWrite: HoldWrite | undefined;
    beforeAll(async () => {
      ({ store, cleanup, holdWrite } = await open());
      await store.migrate();
      await store.migrate(); // idempotent
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    const user = (n: string, extra: Partial<UserRecord> = {}): UserRecord => ({
      name: n,
      admin: false,
      passwordHash: null,
      created: 1_700_000_000_000 + n.length,
      lastActivity: null,
      ...extra,
    });
    const server = (u: string, n: string, extra: Partial<ServerRecord> = {}): ServerRecord => ({
      ...newServerRecord(u, n, 1_700_000_000_000),
      ...extra,
    });

    it('creates, reads and refuses duplicate users', async () => {
      await store.users.create(user('alice', { admin: true, passwordHash: 'h' }));
      expect(await store.users.get('alice')).toEqual(user('alice', { admin: true, passwordHash: 'h' }));
      await expect(store.users.create(user('alice'))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.users.get('nobody')).toBeUndefined();
    });

    it('updates users and keeps large times exact', async () => {
      await store.users.update('alice', { admin: false, lastActivity: 4_102_444_800_123 });
      const got = await store.users.get('alice');
      expect(got?.admin).toBe(false);
      expect(got?.lastActivity).toBe(4_102_444_800_123);
    });

    it('lists users with pagination, totals and state filters', async () => {
      for (const n of ['bob', 'carol', 'dave']) await store.users.create(user(n));
      await store.servers.put(server('bob', '', { state: 'running', desired: 'running' }));
      await store.servers.put(server('carol', 'x', { state: 'pending', desired: 'running' }));
      await store.servers.put(server('dave', '', { state: 'stopped' }));
      const page = await store.users.list({ offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.items).toHaveLength(2);
      const names = (s?: 'active' | 'ready' | 'inactive') =>
        store.users.list({ offset: 0, limit: 100, ...(s ? { state: s } : {}) }).then((p) => p.items.map((u) => u.name).sort());
      expect(await names('active')).toEqual(['bob', 'carol']);
      expect(await names('ready')).toEqual(['bob']);
      expect(await names('inactive')).toEqual(['alice', 'dave']);
      expect((await store.users.list({ offset: 0, limit: 100, state: 'ready' })).total).toBe(1);
      expect(await store.users.count()).toBe(4);
      expect(await store.users.count({ admin: true })).toBe(0);
      await store.users.update('dave', { admin: true });
      expect(await store.users.count({ admin: true })).toBe(1);
      expect(await store.users.count({ admin: false })).toBe(3);
      await store.users.update('dave', { admin: false });
    });

    it('filters the user list by name, server name, failure and idleness, and sorts it, in the store', async () => {
      await store.servers.put(server('bob', '', { state: 'running', desired: 'running', lastActivity: 1_700_000_100_000 }));
      await store.servers.put(server('dave', 'broken', { state: 'failed' }));
      const names = (q: Omit<UserListQuery, 'offset' | 'limit'>) => store.users.list({ offset: 0, limit: 100, ...q }).then((p) => p.items.map((u) => u.name));
      expect(await names({ nameFilter: 'AR' })).toEqual(['carol']);
      // % and _ are taken as themselves, not as LIKE's wildcards.
      expect(await names({ nameFilter: '_' })).toEqual([]);
      expect(await names({ nameFilter: '%' })).toEqual([]);
      expect(await names({ search: 'X' })).toEqual(['carol']);
      expect(await names({ search: 'brok' })).toEqual(['dave']);
      expect(await names({ state: 'failed' })).toEqual(['dave']);
      expect(await names({ idleBefore: 1_700_000_200_000 })).toEqual(['bob']);
      expect(await names({ idleBefore: 1_700_000_050_000 })).toEqual([]);
      expect(await names({ sort: '-name' })).toEqual(['dave', 'carol', 'bob', 'alice']);
      expect(await names({ sort: 'state' })).toEqual(['bob', 'carol', 'dave', 'alice']);
      expect(await names({ sort: '-state' })).toEqual(['alice', 'dave', 'bob', 'carol']);
      expect(await names({ sort: '-last_activity' })).toEqual(['alice', 'bob', 'carol', 'dave']);
      const page = await store.users.list({ offset: 1, limit: 1, sort: 'name', nameFilter: 'a' });
      expect({ names: page.items.map((u) => u.name), total: page.total }).toEqual({ names: ['carol'], total: 3 });
      await store.servers.delete('dave', 'broken');
    });

    it('stores server records whole, including JSON options', async () => {
      const rec = server('bob', 'lab', { handle: '{"v":1}', userOptions: { profile: 'big', n: [1, 2] }, exitStatus: 3, logTail: 'line', stopRequestedAt: 4_102_444_800_123, stoppedAt: 4_102_444_805_001 });
      await store.servers.put(rec);
      expect(await store.servers.get('bob', 'lab')).toEqual(rec);
      await store.servers.put({ ...rec, state: 'running' });
      expect((await store.servers.get('bob', 'lab'))?.state).toBe('running');
      expect((await store.servers.listByUser('bob')).map((s) => s.name)).toEqual(['', 'lab']);
      await store.servers.delete('bob', 'lab');
      expect(await store.servers.get('bob', 'lab')).toBeUndefined();
    });

    it('writes a server record only over the version it was read at (compare and set), keeping the later activity', async () => {
      const v1 = server('olga', 'cas', { owner: 'hub-a:1', version: 1, lastActivity: 1_000 });
      expect(await store.servers.write(v1)).toBe(true);
      // A second first write of the same server loses and changes nothing.
      expect(await store.servers.write({ ...v1, owner: 'hub-b:2', profile: 'other' })).toBe(false);
      expect(await store.servers.get('olga', 'cas')).toEqual(v1);
      // Two writers that read version 1: exactly one of them lands, and the other's change is nowhere.
      const a = { ...v1, version: 2, desired: 'running' as const, state: 'pending' as const, requestedBy: 'a' };
      const b = { ...v1, version: 2, desired: 'stopped' as const, state: 'stopping' as const, requestedBy: 'b' };
      const won = await Promise.all([store.servers.write(a), store.servers.write(b)]);
      expect(won.filter(Boolean)).toHaveLength(1);
      const stored = await store.servers.get('olga', 'cas');
      expect(stored).toEqual(won[0] ? a : b);
      // Activity noted meanwhile (by another instance's proxy) is not undone by a write carrying an older one.
      await store.servers.noteActivity('olga', 'cas', 5_000);
      await store.servers.noteActivity('olga', 'cas', 4_000);
      expect((await store.servers.get('olga', 'cas'))?.lastActivity).toBe(5_000);
      expect((await store.servers.get('olga', 'cas'))?.version).toBe(2);
      expect(await store.servers.write({ ...(stored as ServerRecord), version: 3, lastActivity: 2_000, message: 'm' })).toBe(true);
      expect(await store.servers.get('olga', 'cas')).toMatchObject({ version: 3, lastActivity: 5_000, message: 'm' });
      expect(await store.servers.write({ ...(stored as ServerRecord), version: 4, lastActivity: 9_000, removeRequested: true })).toBe(true);
      expect(await store.servers.get('olga', 'cas')).toMatchObject({ version: 4, lastActivity: 9_000, removeRequested: true });
      await store.servers.delete('olga', 'cas');
    });

    it('hands a server to exactly one of two instances that claim it from the same owner at the same version', async () => {
      await store.servers.put(server('olga', 'orphan', { owner: 'dead:1', version: 7, state: 'running', desired: 'running' }));
      const won = await Promise.all([
        store.servers.claim('olga', 'orphan', { from: 'dead:1', version: 7, to: 'hub-a:1' }),
        store.servers.claim('olga', 'orphan', { from: 'dead:1', version: 7, to: 'hub-b:2' }),
      ]);
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await store.servers.get('olga', 'orphan')).toMatchObject({ owner: won[0] ? 'hub-a:1' : 'hub-b:2', version: 8, state: 'running' });
      // A claim from a stale view (wrong owner or version) changes nothing.
      expect(await store.servers.claim('olga', 'orphan', { from: 'dead:1', version: 8, to: 'hub-c:3' })).toBe(false);
      expect(await store.servers.claim('olga', 'orphan', { from: won[0] ? 'hub-a:1' : 'hub-b:2', version: 7, to: 'hub-c:3' })).toBe(false);
      // Records nobody owned yet (written before owners existed) are claimed from null.
      await store.servers.put(server('olga', 'legacy', { owner: null, version: 1 }));
      expect(await store.servers.claim('olga', 'legacy', { from: 'dead:1', version: 1, to: 'hub-a:1' })).toBe(false);
      expect(await store.servers.claim('olga', 'legacy', { from: null, version: 1, to: 'hub-a:1' })).toBe(true);
      expect(await store.servers.get('olga', 'legacy')).toMatchObject({ owner: 'hub-a:1', version: 2 });
      await store.servers.delete('olga', 'orphan');
      await store.servers.delete('olga', 'legacy');
    });

    /** The changes of `users`' servers only (the suite's other tests write servers too). */
    const changesOf = async (mark: number, users: string[]) => {
      const c = await store.servers.changes(mark);
      const key = (r: { user: string; name: string }) => `${r.user}/${r.name}`;
      return {
        records: Object.fromEntries(c.records.filter((r) => users.includes(r.user)).map((r) => [key(r), r])),
        deleted: c.deleted.filter((d) => users.includes(d.user)).map(key).sort(),
        next: c.next,
      };
    };

    it('tells the server records written and deleted since a mark, renamed and deleted users included', async () => {
      await store.users.create(user('uma'));
      const m0 = await store.servers.changeMark();
      expect(await store.servers.write(server('uma', 'a', { owner: 'hub-a', version: 1 }))).toBe(true);
      await store.servers.put(server('uma', 'b'));
      const c1 = await changesOf(m0, ['uma', 'wen']);
      expect(Object.keys(c1.records).sort()).toEqual(['uma/a', 'uma/b']);
      expect(c1.deleted).toEqual([]);
      // Nothing since: nothing told.
      expect(await changesOf(c1.next, ['uma', 'wen'])).toMatchObject({ records: {}, deleted: [] });
      // Activity alone is a change too (another instance's proxy saw the server used).
      await store.servers.noteActivity('uma', 'a', 5_000);
      const c2 = await changesOf(c1.next, ['uma', 'wen']);
      expect(Object.keys(c2.records)).toEqual(['uma/a']);
      expect(c2.records['uma/a']).toMatchObject({ lastActivity: 5_000, version: 1 });
      await store.servers.delete('uma', 'b');
      const c3 = await changesOf(c2.next, ['uma', 'wen']);
      expect(c3).toMatchObject({ records: {}, deleted: ['uma/b'] });
      // Created again: stored, so no longer told as deleted, even to a reader from before the deletion.
      await store.servers.put(server('uma', 'b', { message: 'again' }));
      expect(await changesOf(c3.next, ['uma', 'wen'])).toMatchObject({ records: { 'uma/b': { message: 'again' } }, deleted: [] });
      expect((await changesOf(c2.next, ['uma', 'wen'])).deleted).toEqual([]);
      // A renamed user's servers move: the new keys are written, the old ones deleted.
      const m4 = (await changesOf(c3.next, ['uma', 'wen'])).next;
      await store.users.update('uma', { name: 'wen' });
      const c4 = await changesOf(m4, ['uma', 'wen']);
      expect(Object.keys(c4.records).sort()).toEqual(['wen/a', 'wen/b']);
      expect(c4.deleted).toEqual(['uma/a', 'uma/b']);
      await store.users.delete('wen');
      expect(await changesOf(c4.next, ['uma', 'wen'])).toMatchObject({ records: {}, deleted: ['wen/a', 'wen/b'] });
    });

    // SQLite has one writer at a time: a write that took a stamp holds the lock until it commits, so a later
    // stamp cannot commit before it. The race exists only where writers overlap (PostgreSQL).
    it('tells a write that took its stamp before another but committed after it was read (the watermark race)', async (t) => {
      if (!holdWrite) return t.skip();
      await store.users.create(user('xia'));
      await store.servers.put(server('xia', 'early'));
      await store.servers.put(server('xia', 'late'));
      const m0 = (await changesOf(await store.servers.changeMark(), ['xia'])).next;
      // The early writer stamps its row first, and stays open while the late one writes and commits.
      const early = await holdWrite(`update servers set message = 'held' where user_name = 'xia' and name = 'early'`);
      await store.servers.noteActivity('xia', 'late', 7_000);
      const c1 = await changesOf(m0, ['xia']);
      expect(Object.keys(c1.records)).toEqual(['xia/late']);
      await early.commit();
      const c2 = await changesOf(c1.next, ['xia']);
      expect(c2.records['xia/early']).toMatchObject({ message: 'held' });
      await store.users.delete('xia');
    });

    it('finds tokens by hash only, lists and deletes them', async () => {
      const t = { id: 'a1', user: 'bob', hash: 'h1', prefix: 'nbh_ab', note: 'cli', created: 1, expiresAt: null, lastActivity: null, scopes: ['read:users!group=g', 'servers!user=bob'], roles: ['auditor'] };
      await store.tokens.create(t);
      await expect(store.tokens.create({ ...t, id: 'a2' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.tokens.findByHash('h1')).toEqual(t);
      await store.tokens.touch('a1', 99);
      expect((await store.tokens.get('bob', 'a1'))?.lastActivity).toBe(99);
      expect(await store.tokens.listByUser('bob')).toHaveLength(1);
      expect(await store.tokens.delete('alice', 'a1')).toBe(false);
      expect(await store.tokens.delete('bob', 'a1')).toBe(true);
      expect(await store.tokens.findByHash('h1')).toBeUndefined();
    });

    it("ends a user's other sessions (a password change), keeping the one named and other users'", async () => {
      await store.sessions.create({ idHash: 'k1', user: 'kim', xsrf: 'x', created: 1, expiresAt: 1000 });
      await store.sessions.create({ idHash: 'k2', user: 'kim', xsrf: 'x', created: 1, expiresAt: 1000 });
      await store.sessions.create({ idHash: 'k3', user: 'kim', xsrf: 'x', created: 1, expiresAt: 1000 });
      await store.sessions.create({ idHash: 'l1', user: 'lee', xsrf: 'x', created: 1, expiresAt: 1000 });
      expect((await store.sessions.deleteOfUser('kim', 'k2')).sort()).toEqual(['k1', 'k3']);
      expect(await store.sessions.get('k2')).toBeDefined();
      expect(await store.sessions.get('l1')).toBeDefined();
      expect(await store.sessions.deleteOfUser('kim')).toEqual(['k2']);
      expect(await store.sessions.get('l1')).toBeDefined();
    });

    it('keeps sessions until they expire', async () => {
      await store.sessions.create({ idHash: 's1', user: 'bob', xsrf: 'x', created: 1, expiresAt: 10 });
      await store.sessions.create({ idHash: 's2', user: 'bob', xsrf: 'y', created: 1, expiresAt: 1000 });
      expect(await store.sessions.deleteExpired(500)).toBe(1);
      expect(await store.sessions.get('s1')).toBeUndefined();
      expect((await store.sessions.get('s2'))?.xsrf).toBe('y');
    });

    it('keeps OpenID sessions\' refresh tokens, lists the due ones, and hands each refresh to one claimant', async () => {
      const o = store.oidcSessions;
      await o.put({ sessionHash: 'h1', user: 'bob', refreshToken: 'r1', idToken: 'i1', refreshedAt: 100 });
      await o.put({ sessionHash: 'h2', user: 'ann', refreshToken: null, idToken: null, refreshedAt: 5_000_000_000_000 });
      expect(await o.get('h1')).toEqual({ sessionHash: 'h1', user: 'bob', refreshToken: 'r1', idToken: 'i1', refreshedAt: 100 });
      expect((await o.due(1000, 10)).map((r) => r.sessionHash)).toEqual(['h1']);
      expect(await o.claim('h1', 100, 2000)).toBe(true);
      expect(await o.claim('h1', 100, 2001)).toBe(false);
      await o.put({ sessionHash: 'h1', user: 'bob', refreshToken: 'r2', idToken: 'i2', refreshedAt: 3000 });
      expect((await o.get('h1'))?.refreshToken).toBe('r2');
      expect(await o.due(1000, 10)).toEqual([]);
      await o.delete('h1');
      expect(await o.get('h1')).toBeUndefined();
    });

    it('changes a user in one transaction: a rename to a taken name leaves the admin flag and the password as they were', async () => {
      await store.users.create(user('hana', { passwordHash: 'old' }));
      await store.users.create(user('iris'));
      await expect(store.users.update('hana', { admin: true, passwordHash: 'new', name: 'iris' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.users.get('hana')).toEqual(user('hana', { passwordHash: 'old' }));
      await store.users.update('hana', { admin: true, passwordHash: 'new', name: 'hanna' });
      expect(await store.users.get('hana')).toBeUndefined();
      expect(await store.users.get('hanna')).toEqual({ ...user('hana', { admin: true, passwordHash: 'new' }), name: 'hanna' });
      await store.users.delete('hanna');
      await store.users.delete('iris');
    });

    it('renames and deletes a user with everything keyed by the name', async () => {
      await store.tokens.create({ id: 'b1', user: 'dave', hash: 'hd', prefix: 'p', note: '', created: 1, expiresAt: null, lastActivity: null, scopes: null, roles: null });
      await expect(store.users.update('dave', { name: 'bob' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.users.update('dave', { name: 'erin' });
      expect(await store.users.get('dave')).toBeUndefined();
      expect((await store.servers.listByUser('erin')).length).toBe(1);
      expect((await store.tokens.findByHash('hd'))?.user).toBe('erin');
      await store.users.delete('erin');
      expect(await store.users.get('erin')).toBeUndefined();
      expect(await store.servers.listByUser('erin')).toEqual([]);
      expect(await store.tokens.findByHash('hd')).toBeUndefined();
    });

    it('stores audit events and reads them newest first with filters, paging and totals; prunes by time', async () => {
      const base = 1_800_000_000_000;
      await store.audit.append([
        { time: base, event: 'login_failed', user: 'ann', by: null, data: { via: 'local', reason: 'bad password' } },
        { time: base + 1000, event: 'login', user: 'ann', by: null, data: { via: 'local' } },
        { time: base + 2000, event: 'token_create', user: 'ann', by: 'ann', data: { token_id: 't1' } },
        // Two at one time: the later written is the newer.
        { time: base + 3000, event: 'server_stop', user: 'ann', by: 'root', data: { server: '', reason: 'requested' } },
        { time: base + 3000, event: 'user_add', user: 'bob', by: 'root', data: { admin: false } },
      ]);
      const all = await store.audit.query({ offset: 0, limit: 10 });
      expect(all.total).toBe(5);
      expect(all.items.map((e) => e.event)).toEqual(['user_add', 'server_stop', 'token_create', 'login', 'login_failed']);
      expect(all.items[4]).toMatchObject({ time: base, user: 'ann', by: null, data: { via: 'local', reason: 'bad password' } });
      expect(all.items[0]!.id).toBeGreaterThan(all.items[1]!.id);
      const page = await store.audit.query({ user: 'ann', offset: 1, limit: 2 });
      expect(page.total).toBe(4);
      expect(page.items.map((e) => e.event)).toEqual(['token_create', 'login']);
      expect((await store.audit.query({ by: 'root', offset: 0, limit: 10 })).items.map((e) => e.user)).toEqual(['bob', 'ann']);
      expect((await store.audit.query({ events: ['login', 'login_failed'], offset: 0, limit: 10 })).items.map((e) => e.event)).toEqual(['login', 'login_failed']);
      const range = await store.audit.query({ since: base + 1000, until: base + 2000, offset: 0, limit: 10 });
      expect(range.items.map((e) => e.event)).toEqual(['token_create', 'login']);
      expect(await store.audit.prune(base + 2000)).toBe(2);
      expect((await store.audit.query({ offset: 0, limit: 10 })).total).toBe(3);
      expect(await store.audit.prune(base + 10_000)).toBe(3);
    });

    it('keeps groups with properties and members, syncs a user\'s groups, and renames and deletes memberships with the user', async () => {
      await store.users.create(user('gina'));
      await store.users.create(user('gus'));
      await store.groups.create({ name: 'physics', properties: { gpu: true }, created: 5 });
      await expect(store.groups.create({ name: 'physics', properties: {}, created: 6 })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.groups.addUsers('physics', ['gus', 'gina', 'gina'])).toBe(true);
      expect(await store.groups.addUsers('nope', ['gina'])).toBe(false);
      expect(await store.groups.get('physics')).toEqual({ name: 'physics', properties: { gpu: true }, created: 5, users: ['gina', 'gus'] });
      expect(await store.groups.setProperties('physics', { gpu: false })).toBe(true);
      expect(await store.groups.setProperties('nope', {})).toBe(false);
      // What an LDAP or OIDC login does: exactly these groups, the missing one created.
      await store.groups.setUserGroups('gina', ['chemistry', 'physics'], 7);
      expect(await store.groups.ofUser('gina')).toEqual(['chemistry', 'physics']);
      await store.groups.setUserGroups('gina', ['chemistry'], 8);
      expect(await store.groups.ofUser('gina')).toEqual(['chemistry']);
      expect((await store.groups.get('physics'))?.users).toEqual(['gus']);
      expect((await store.groups.get('chemistry'))?.created).toBe(7);
      const page = await store.groups.list({ offset: 0, limit: 1 });
      expect(page).toEqual({ items: [{ name: 'chemistry', properties: {}, created: 7, users: ['gina'] }], total: 2 });
      expect(await store.groups.ofUsers(['gina', 'gus', 'nobody'])).toEqual(new Map([['gina', ['chemistry']], ['gus', ['physics']], ['nobody', []]]));
      expect(await store.groups.removeUsers('physics', ['gus', 'nobody'])).toBe(true);
      expect((await store.groups.get('physics'))?.users).toEqual([]);
      await store.groups.addUsers('physics', ['gus']);
      await store.users.update('gus', { name: 'guy' });
      expect((await store.groups.get('physics'))?.users).toEqual(['guy']);
      await store.users.delete('guy');
      expect((await store.groups.get('physics'))?.users).toEqual([]);
      expect(await store.groups.delete('physics')).toBe(true);
      expect(await store.groups.delete('physics')).toBe(false);
      await store.groups.setUserGroups('gina', [], 9);
      expect(await store.groups.ofUser('gina')).toEqual([]);
      await store.users.delete('gina');
      await store.groups.delete('chemistry');
    });

    it('stores usage samples with 1-minute, 1-hour and 1-day rollups, and queries them by series', async () => {
      const base = 1_800_000_000_000 - (1_800_000_000_000 % 86_400_000); // a UTC day boundary
      const rows = [0, 10, 20, 70].flatMap((s, i) => [
        { user: 'bob', server: '', kernel: '', t: base + s * 1000, cpuFrom: 9 + i, cpu: 10 + i, memory: 100 + i * 10 },
        { user: 'bob', server: '', kernel: 'k1', t: base + s * 1000, cpuFrom: 4 + i, cpu: 5 + i, memory: 50 },
      ]);
      // Batches arrive in any order, and again: folding is a min, a max and a max.
      await store.usage.write(rows.slice(4));
      await store.usage.write(rows.slice(0, 4));
      await store.usage.write(rows);
      const raw = await store.usage.query({ resolution: 'raw', from: base, to: base + 100_000, user: 'bob', kernels: 'runtime' });
      expect(raw.map((r) => [r.t - base, r.cpuFrom, r.cpu, r.memory])).toEqual([[0, 9, 10, 100], [10_000, 10, 11, 110], [20_000, 11, 12, 120], [70_000, 12, 13, 130]]);
      const minute = await store.usage.query({ resolution: '1m', from: base, to: base + 100_000, user: 'bob', kernels: 'runtime' });
      expect(minute.map((r) => [r.t - base, r.cpuFrom, r.cpu, r.memory])).toEqual([[0, 9, 12, 120], [60_000, 12, 13, 130]]);
      const hour = await store.usage.query({ resolution: '1h', from: base, to: base + 100_000, user: 'bob', kernels: { id: 'k1' } });
      expect(hour.map((r) => [r.t - base, r.kernel, r.cpuFrom, r.cpu, r.memory])).toEqual([[0, 'k1', 4, 8, 50]]);
      const day = await store.usage.query({ resolution: '1d', from: base, to: base + 100_000, kernels: 'runtime' });
      expect(day.map((r) => [r.t - base, r.cpuFrom, r.cpu, r.memory])).toEqual([[0, 9, 13, 130]]);
      expect((await store.usage.query({ resolution: 'raw', from: base, to: base + 100_000, kernels: 'kernels' })).every((r) => r.kernel === 'k1')).toBe(true);
      // Raw queries may also ask for each series' first row just after the range (its CPU straddles the end).
      const inner = await store.usage.query({ resolution: 'raw', from: base + 12_000, to: base + 18_000, user: 'bob', kernels: 'runtime', trailingMs: 5_000 });
      expect(inner.map((r) => r.t - base)).toEqual([20_000]);
      expect((await store.usage.query({ resolution: 'raw', from: base + 12_000, to: base + 18_000, user: 'bob', kernels: 'runtime' })).length).toBe(0);
      // A restarted sampler continues each series from its last stored counter.
      const last = await store.usage.lastCounters('bob', '', ['', 'k1', 'k2']);
      expect(last.get('')).toEqual({ t: base + 70_000, cpu: 13 });
      expect(last.get('k1')).toEqual({ t: base + 70_000, cpu: 8 });
      expect(last.has('k2')).toBe(false);
      expect((await store.usage.lastCounters('nobody', '', [''])).size).toBe(0);
      await store.usage.noteNotebooks([{ user: 'bob', server: '', kernel: 'k1', notebook: 'a.ipynb' }], base);
      await store.usage.noteNotebooks([{ user: 'bob', server: '', kernel: 'k1', notebook: 'a.ipynb' }, { user: 'bob', server: '', kernel: 'k1', notebook: 'b.ipynb' }], base + 1);
      expect((await store.usage.notebooks({ user: 'bob' })).map((n) => n.notebook)).toEqual(['a.ipynb', 'b.ipynb']);
      await store.usage.prune({ raw: base + 15_000, '1m': base + 60_000, '1h': base, '1d': base });
      expect((await store.usage.query({ resolution: 'raw', from: base, to: base + 100_000, user: 'bob', kernels: 'runtime' })).length).toBe(2);
      expect((await store.usage.query({ resolution: '1m', from: base, to: base + 100_000, user: 'bob', kernels: 'runtime' })).length).toBe(1);
      expect((await store.usage.notebooks({ user: 'bob' })).length).toBe(2);
      // Notebook links go once no resolution can hold their kernel's rows.
      await store.usage.prune({ raw: base + 2, '1m': base + 2, '1h': base + 2, '1d': base + 2 });
      expect(await store.usage.notebooks({ user: 'bob' })).toEqual([]);
    });

    it('packs each series into columns with exactly the numbers of its rows, and /hub/api/usage answers the same from them', async () => {
      const DAY = 86_400_000;
      const base = 1_900_000_000_000 - (1_900_000_000_000 % DAY); // apart from the other tests' rows
      // Two users, one with two runtimes; runtime and kernel series; samples 10 s apart in bursts across
      // three days and hours; increments that are not short decimals; one counter restarting, one going back.
      const rows: UsageRow[] = [];
      const series: [string, string, string][] = [['ivy', '', ''], ['ivy', '', 'k1'], ['ivy', '', 'k2'], ['ivy', 'gpu', ''], ['jon', '', ''], ['jon', '', 'k9']];
      for (const [n, [u, srv, k]] of series.entries()) {
        let cpu = n * 0.1;
        for (const d of [0, 1, 2])
          for (const h of [0, 7, 13, 23])
            for (const sec of [0, 10, 20, 30, 3590]) {
              const t = base + d * DAY + h * 3_600_000 + sec * 1000 + n * 1000;
              // ivy's runtime restarts its counter on day 1 at 13:00: the first row starts lower than the last ended.
              const from = u === 'ivy' && srv === '' && k === '' && d === 1 && h === 13 && sec === 0 ? 0.2 : cpu;
              // jon's kernel reports once a counter lower than where the row started: it used nothing.
              cpu = k === 'k9' && d === 2 && h === 13 && sec === 30 ? from - 5 : from + (1 / 3) * ((n + sec + h) % 7) + 0.1 + 0.2;
              rows.push({ user: u, server: srv, kernel: k, t, cpuFrom: from, cpu, memory: 1_000_000 * (1 + ((n * 7 + sec + h * 3 + d) % 11)) });
            }
      }
      await store.usage.write(rows);

      // The store's packed series are its rows' numbers, to the last bit.
      const queries: UsageQuery[] = [
        { resolution: 'raw', from: base + 7 * 3_600_000 + 15_000, to: base + DAY + 13 * 3_600_000 + 5_000, kernels: 'runtime', trailingMs: 30_000 },
        { resolution: 'raw', from: base, to: base + 3 * DAY, kernels: 'kernels' },
        { resolution: '1m', from: base, to: base + 3 * DAY, kernels: 'runtime' },
        { resolution: '1m', from: base + DAY, to: base + 3 * DAY, user: 'ivy', kernels: 'kernels' },
        { resolution: '1h', from: base + 3_600_000, to: base + 2 * DAY + 23 * 3_600_000, server: '', kernels: { id: 'k1' } },
        { resolution: '1d', from: base, to: base + 3 * DAY, kernels: 'runtime' },
      ];
      for (const q of queries) {
        const packed = await store.usage.series(q);
        expect(packed).toEqual(toSeries(await store.usage.query(q)));
        expect(packed.length).toBeGreaterThan(0);
      }

      // The whole answer, through the packed series and through rows as before: equal, for group_by values,
      // steps that are not the tier's width, and first and last steps cut by from and to.
      const byRows: TestStore = { ...store, usage: { ...store.usage, series: async (q) => toSeries(await store.usage.query(q)) } };
      const from = base + 2 * 3_600_000 + 1_234;
      const to = base + 2 * DAY + 13 * 3_600_000 + 7 * 60_000;
      const cases: [UsageParams['resolution'], number, UsageParams['groupBy']][] = [
        ['1d', 86_400_000, 'user'],
        ['1d', 2 * 86_400_000, 'server'],
        ['1h', 14_400_000, 'user'],
        ['1h', 5_400_000, 'kernel'],
        ['1m', 3_600_000, 'server'],
        ['raw', 25_000, 'user'],
        ['raw', 3_600_000, 'kernel'],
      ];
      for (const [resolution, step, groupBy] of cases) {
        const p: UsageParams = { groupBy, from, to, step, resolution, sampleIntervalMs: 10_000 };
        const answer = await queryUsage(store, p, to - 1_000);
        expect(answer).toEqual(await queryUsage(byRows, p, to - 1_000));
        expect(answer.totals.length).toBeGreaterThan(1);
        expect(answer.totals.every((x) => x.cpu_seconds > 0 && x.peak_memory > 0)).toBe(true);
      }
    });

    it('keeps each server its history of starts and stops, newest first, renamed and deleted with its user', async () => {
      const ev = (server: string, t: number, action: ServerEvent['action'], extra: Partial<ServerEvent> = {}): ServerEvent => ({
        user: 'hank',
        server,
        t,
        action,
        reason: action === 'stop' ? 'idle' : null,
        by: action === 'stop' ? 'culler' : 'hank',
        message: null,
        profile: 'default',
        ...extra,
      });
      await store.users.create(user('hank'));
      await store.history.add(ev('', 1_700_000_000_000, 'start'));
      await store.history.add(ev('', 1_700_000_020_000, 'stop'));
      await store.history.add(ev('', 1_700_000_020_000, 'stop')); // repeated: one event
      await store.history.add(ev('', 4_102_444_800_123, 'start', { by: 'root' }));
      await store.history.add(ev('lab', 1_700_000_000_000, 'stop', { reason: 'failed', by: 'runtime', message: 'exited with status 3' }));
      expect(await store.history.list('hank', '', 10)).toEqual([
        ev('', 4_102_444_800_123, 'start', { by: 'root' }),
        ev('', 1_700_000_020_000, 'stop'),
        ev('', 1_700_000_000_000, 'start'),
      ]);
      expect((await store.history.list('hank', '', 1)).map((e) => e.t)).toEqual([4_102_444_800_123]);
      expect(await store.history.list('hank', 'lab', 10)).toEqual([ev('lab', 1_700_000_000_000, 'stop', { reason: 'failed', by: 'runtime', message: 'exited with status 3' })]);
      // A deleted server's history stays, its delete newest even in the millisecond of its stop.
      await store.history.add(ev('lab', 1_700_000_000_000, 'delete', { reason: null, by: 'root' }));
      expect((await store.history.list('hank', 'lab', 10)).map((e) => e.action)).toEqual(['delete', 'stop']);
      await store.history.deleteServer('hank', 'lab');
      expect(await store.history.list('hank', 'lab', 10)).toEqual([]);
      await store.users.update('hank', { name: 'ivan' });
      expect(await store.history.list('hank', '', 10)).toEqual([]);
      expect((await store.history.list('ivan', '', 10)).map((e) => e.user)).toEqual(['ivan', 'ivan', 'ivan']);
      await store.users.delete('ivan');
      expect(await store.history.list('ivan', '', 10)).toEqual([]);
    });

    it('keeps executions whole, lists them newest first with filters and overlap, and summarises them', async () => {
      const base = 1_800_000_000_000;
      const exec = (id: string, extra: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
        id,
        user: 'bob',
        server: '',
        kernelId: 'k1',
        notebook: 'a.ipynb',
        attribution: 'session',
        candidates: [],
        cellId: null,
        msgId: `m-${id}`,
        clientSession: 's1',
        executionCount: null,
        code: 'print(1)',
        codeSha256: 'ab'.repeat(32),
        codeBytes: 8,
        requested: base,
        started: base,
        ended: null,
        status: 'running',
        errorName: null,
        cpuSeconds: null,
        peakMemory: null,
        sparkCpuSeconds: null,
        ...extra,
      });
      const e1 = exec('e1', { started: base, requested: base, ended: base + 2_000, status: 'ok', executionCount: 1, cpuSeconds: 1.5, peakMemory: 4_000_000_000, sparkCpuSeconds: 3.25 });
      const e2 = exec('e2', { started: base + 10_000, requested: base + 10_000, ended: base + 11_000, status: 'error', errorName: 'ZeroDivisionError', cpuSeconds: 0.25, peakMemory: 10 });
      const e3 = exec('e3', { started: base + 20_000, requested: base + 20_000, notebook: null, attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'], cellId: 'c-1', code: null });
      const e4 = exec('e4', { user: 'carol', kernelId: 'k2', started: base + 5_000, requested: base + 5_000, ended: base + 6_000, status: 'ok', cpuSeconds: 2 });
      await store.executions.put([e1, e2, e3]);
      await store.executions.put([e4, { ...e3, executionCount: 3 }, { ...e3, executionCount: 4 }]); // the last version wins
      expect(await store.executions.get('e1')).toEqual(e1);
      expect(await store.executions.get('e3')).toEqual({ ...e3, executionCount: 4 });
      // A later version changes what the execution became, not who asked for what, when.
      const asked = { msgId: 'other', clientSession: 's2', codeSha256: 'cd'.repeat(32), codeBytes: 9, requested: base + 1 };
      await store.executions.put([{ ...e1, ...asked, notebook: 'b.ipynb', cellId: 'c-9', code: 'print(2)', started: base + 1, ended: base + 3_000, status: 'error', errorName: 'E', cpuSeconds: 2, peakMemory: 5, executionCount: 7, attribution: 'cell', candidates: ['b.ipynb'] }]);
      expect(await store.executions.get('e1')).toEqual({ ...e1, notebook: 'b.ipynb', cellId: 'c-9', code: 'print(2)', started: base + 1, ended: base + 3_000, status: 'error', errorName: 'E', cpuSeconds: 2, peakMemory: 5, executionCount: 7, attribution: 'cell', candidates: ['b.ipynb'] });
      await store.executions.put([e1]);
      expect(await store.executions.get('e1')).toEqual(e1);
      expect(await store.executions.get('nope')).toBeUndefined();
      const ids = async (q: Partial<Parameters<TestStore['executions']['list']>[0]>) =>
        (await store.executions.list({ offset: 0, limit: 100, ...q })).items.map((e) => e.id);
      expect(await ids({})).toEqual(['e3', 'e2', 'e4', 'e1']);
      expect(await ids({ user: 'bob' })).toEqual(['e3', 'e2', 'e1']);
      expect(await ids({ user: 'bob', status: 'error' })).toEqual(['e2']);
      expect(await ids({ user: 'bob', notebook: 'a.ipynb' })).toEqual(['e2', 'e1']);
      expect(await ids({ kernelId: 'k2' })).toEqual(['e4']);
      expect(await ids({ server: 'x' })).toEqual([]);
      // Overlap: e1 ran [0, 2 s]; e3 still runs, so it overlaps any range after its start.
      expect(await ids({ user: 'bob', since: base + 1_000, until: base + 1_500 })).toEqual(['e1']);
      expect(await ids({ user: 'bob', since: base + 30_000 })).toEqual(['e3']);
      expect(await ids({ until: base + 5_000 })).toEqual(['e4', 'e1']);
      const page = await store.executions.list({ user: 'bob', offset: 1, limit: 1 });
      expect([page.total, page.items.map((e) => e.id)]).toEqual([3, ['e2']]);

      const sum = await store.executions.summarize({ user: 'bob' });
      expect(sum.notebooks).toEqual([
        { user: 'bob', server: '', notebook: 'a.ipynb', runs: 2, errors: 1, cpuSeconds: 1.75, peakMemory: 4_000_000_000, lastRun: base + 10_000 },
        { user: 'bob', server: '', notebook: null, runs: 1, errors: 0, cpuSeconds: 0, peakMemory: null, lastRun: base + 20_000 },
      ]);
      expect(sum.kernels).toEqual([{ user: 'bob', server: '', kernelId: 'k1', runs: 3, cpuSeconds: 1.75 }]);

      // The peak of a kernel's stored raw samples within an interval.
      await store.usage.write(
        [0, 10, 20, 30].map((sec, i) => ({ user: 'bob', server: '', kernel: 'kp', t: base + sec * 1000, cpuFrom: i, cpu: i + 1, memory: [100, 300, 200, 900][i] as number })),
      );
      expect(await store.executions.samplePeak({ user: 'bob', server: '', kernelId: 'kp' }, base + 5_000, base + 25_000)).toBe(300);
      expect(await store.executions.samplePeak({ user: 'bob', server: '', kernelId: 'kp' }, base + 21_000, base + 29_000)).toBeNull();
      expect(await store.executions.samplePeak({ user: 'bob', server: '', kernelId: 'k9' }, base, base + 80_000)).toBeNull();
      expect(await store.executions.loseRunning()).toBe(1);
      expect((await store.executions.get('e3'))?.status).toBe('lost');
      expect(await store.executions.prune(base + 10_000)).toBe(2);
      expect(await ids({})).toEqual(['e3', 'e2']);

      // A renamed user keeps their executions; a deleted one's are deleted.
      await store.users.create(user('frank'));
      await store.executions.put([exec('f1', { user: 'frank' })]);
      await store.users.update('frank', { name: 'gina' });
      expect((await store.executions.get('f1'))?.user).toBe('gina');
      await store.users.delete('gina');
      expect(await store.executions.get('f1')).toBeUndefined();
    });

    it('upserts a known execution by the one column list: exactly EXECUTION_UPDATED_COLUMNS change, every other column stays', async () => {
      const first: ExecutionRecord = {
        id: 'u1', user: 'bob', server: '', kernelId: 'k1', notebook: 'a.ipynb', attribution: 'pending', candidates: [], cellId: null,
        msgId: 'm1', clientSession: 's1', executionCount: null, code: 'x', codeSha256: 'ab'.repeat(32), codeBytes: 1, requested: 1_000,
        started: 1_000, ended: null, status: 'running', errorName: null, cpuSeconds: null, peakMemory: null, sparkCpuSeconds: null,
      };
      // Every field different, the id aside.
      const later: ExecutionRecord = {
        id: 'u1', user: 'carl', server: 'lab', kernelId: 'k2', notebook: 'b.ipynb', attribution: 'cell', candidates: ['b.ipynb'], cellId: 'c-2',
        msgId: 'm2', clientSession: 's2', executionCount: 5, code: 'y', codeSha256: 'cd'.repeat(32), codeBytes: 2, requested: 2_000,
        started: 2_000, ended: 3_000, status: 'ok', errorName: 'E', cpuSeconds: 1.5, peakMemory: 7, sparkCpuSeconds: 12.25,
      };
      await store.executions.put([first]);
      await store.executions.put([later]);
      const stored = executionToRow((await store.executions.get('u1')) as ExecutionRecord);
      const [a, b] = [executionToRow(first), executionToRow(later)];
      const updated = new Set<string>(EXECUTION_UPDATED_COLUMNS);
      for (const c of Object.keys(stored) as Array<keyof typeof stored>) {
        if (c !== 'id') expect([c, stored[c]]).toEqual([c, updated.has(c) ? b[c] : a[c]]);
      }
    });

    it('keeps Spark jobs: updates what changes, lists newest first, follows the unfinished ones', async () => {
      const job = (id: string, submitted: number, extra: Partial<SparkJobRecord> = {}): SparkJobRecord => ({
        id, cluster: 'c1', user: 'alice', resource: 's3://b1b/pi.jar', mainClass: 'Pi', args: ['1', 'two words'], conf: { 'spark.executor.memory': '512m' },
        submissionId: null, appId: null, state: 'SUBMITTED', message: null, submitted, ended: null, ...extra,
      });
      await store.sparkJobs.put(job('j1', 4_102_444_800_001));
      await store.sparkJobs.put(job('j2', 4_102_444_800_002, { user: 'bob', submissionId: 'driver-2', state: 'RUNNING' }));
      await store.sparkJobs.put(job('j3', 4_102_444_800_003, { cluster: 'c2' }));
      // The fields a job's life changes are written; what was submitted is not.
      await store.sparkJobs.put(job('j1', 4_102_444_800_001, { submissionId: 'driver-1', appId: 'app-1', state: 'FINISHED', ended: 4_102_444_800_009, mainClass: 'Other' }));
      expect(await store.sparkJobs.get('j1')).toEqual(job('j1', 4_102_444_800_001, { submissionId: 'driver-1', appId: 'app-1', state: 'FINISHED', ended: 4_102_444_800_009 }));
      const page = await store.sparkJobs.list({ cluster: 'c1', offset: 0, limit: 10 });
      expect([page.total, page.items.map((j) => j.id)]).toEqual([2, ['j2', 'j1']]);
      expect((await store.sparkJobs.list({ user: 'bob', offset: 0, limit: 10 })).items.map((j) => j.id)).toEqual(['j2']);
      expect((await store.sparkJobs.unfinished(10)).map((j) => j.id)).toEqual(['j2', 'j3']);
      expect((await store.sparkJobs.unfinished(1)).map((j) => j.id)).toEqual(['j2']);
    });

    it('keeps meta values', async () => {
      expect(await store.meta.get('k')).toBeUndefined();
      await store.meta.set('k', 'v1');
      await store.meta.set('k', 'v2');
      expect(await store.meta.get('k')).toBe('v2');
    });
  });
};
