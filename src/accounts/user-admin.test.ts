import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../core/models.js';
import { memoryStore, type TestStore } from '../store/testing.js';
import { modifyUser, type UserAdminDeps } from './user-admin.js';

describe('modifyUser', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await memoryStore();
  });
  afterEach(() => store.close());

  const deps = (s: UserAdminDeps['store']): UserAdminDeps => ({
    store: s,
    clock: { now: () => 1_000 },
    identity: { forget: () => undefined },
    servers: { removeUser: async () => undefined, assertRenamable: () => undefined },
  });
  const user = (name: string): UserRecord => ({ name, admin: false, passwordHash: null, created: 1, lastActivity: null });

  it('changes nothing when the new name is taken by the time it is written: admin flag and password stay as they were', async () => {
    await store.users.create(user('ann'));
    await store.users.create(user('bea'));
    // The check for a free name ran before another request created it (two admins at once).
    let checks = 0;
    const raced = { ...store, users: { ...store.users, get: (n: string) => (n === 'bea' && checks++ === 0 ? Promise.resolve(undefined) : store.users.get(n)) } };
    await expect(modifyUser(deps(raced), 'ann', { name: 'bea', admin: true, password: 'a-new-password' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.users.get('ann')).toEqual(user('ann'));
  });

  it('renames, sets the flag and the password together', async () => {
    await store.users.create(user('ann'));
    const got = await modifyUser(deps(store), 'ann', { name: 'cay', admin: true, password: 'a-new-password' });
    expect(got).toMatchObject({ name: 'cay', admin: true });
    expect(got.passwordHash).not.toBeNull();
    expect(await store.users.get('ann')).toBeUndefined();
  });
});
