import type { Clock } from '../core/clock.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import type { UserRecord } from '../core/models.js';
import type { IdentityCache } from '../core/identity.js';
import type { ServerRequests } from '../core/servers.js';
import type { Store } from '../core/store.js';
import { hashPassword } from './passwords.js';
import { addUser, assertPassword, assertUserName } from './users.js';

/** What the admin side of the API does to users; the lifecycle parts are passed in to keep modules apart. */
export interface UserAdminDeps {
  store: Store;
  clock: Clock;
  identity: Pick<IdentityCache, 'forget'>;
  servers: Pick<ServerRequests, 'removeUser' | 'assertRenamable'>;
}

/** JupyterHub's bulk create: creates the missing ones; 409 only when every name exists. */
export const createUsers = async (d: UserAdminDeps, names: string[], admin: boolean): Promise<UserRecord[]> => {
  if (names.length === 0) throw badRequest('Must specify at least one user to create');
  names.forEach(assertUserName);
  const missing: string[] = [];
  for (const n of new Set(names)) if (!(await d.store.users.get(n))) missing.push(n);
  if (missing.length === 0) throw conflict(`All ${names.length} users already exist`);
  const created: UserRecord[] = [];
  for (const n of missing) created.push(await addUser(d, n, { admin }));
  return created;
};

export const modifyUser = async (
  d: UserAdminDeps,
  name: string,
  patch: { name?: string | undefined; admin?: boolean | undefined; password?: string | undefined },
): Promise<UserRecord> => {
  const user = await d.store.users.get(name);
  if (!user) throw notFound(`No such user: ${name}`);
  if (patch.name !== undefined && patch.name !== name) {
    assertUserName(patch.name);
    if (await d.store.users.get(patch.name)) throw badRequest(`User ${patch.name} already exists, username must be unique`);
  }
  if (patch.password !== undefined) assertPassword(patch.password);
  if (patch.name !== undefined && patch.name !== name) d.servers.assertRenamable(name);
  await d.store.users.update(name, {
    ...(patch.admin !== undefined ? { admin: patch.admin } : {}),
    ...(patch.password !== undefined ? { passwordHash: await hashPassword(patch.password) } : {}),
  });
  let current = name;
  if (patch.name !== undefined && patch.name !== name) {
    await d.store.users.rename(name, patch.name);
    current = patch.name;
  }
  d.identity.forget(name);
  return (await d.store.users.get(current)) as UserRecord;
};

export const deleteUser = async (d: UserAdminDeps, name: string, by: string): Promise<void> => {
  if (!(await d.store.users.get(name))) throw notFound(`No such user: ${name}`);
  if (name === by) throw badRequest('Cannot delete yourself!');
  await d.servers.removeUser(name, by);
  await d.store.users.delete(name);
  d.identity.forget(name);
};
