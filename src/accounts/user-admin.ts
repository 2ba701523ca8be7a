import type { Clock } from '../core/clock.js';
import { badRequest, conflict, notFound } from '../core/errors.js';
import type { UserRecord } from '../core/models.js';
import type { IdentityCache } from '../core/identity.js';
import type { CredentialRevocations } from '../core/revocations.js';
import type { ServerRequests } from '../core/servers.js';
import type { Store, UserChange } from '../core/store.js';
import { hashPassword } from './passwords.js';
import { addUser, assertPassword, assertUserName } from './users.js';

/** What the admin side of the API does to users; the lifecycle parts are passed in to keep modules apart. */
export interface UserAdminDeps {
  store: Store;
  clock: Clock;
  identity: Pick<IdentityCache, 'forget'>;
  servers: Pick<ServerRequests, 'removeUser' | 'assertRenamable'>;
  /** Told when sessions end or a user goes, to close their open WebSockets. */
  revocations?: Pick<CredentialRevocations, 'revokeSessionsOf' | 'revokeUser'> | undefined;
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
  /** The session that asked, kept when the password changes (a user changing their own); others end. */
  keepSession?: string,
): Promise<UserRecord> => {
  const user = await d.store.users.get(name);
  if (!user) throw notFound(`No such user: ${name}`);
  if (patch.name !== undefined && patch.name !== name) {
    assertUserName(patch.name);
    if (await d.store.users.get(patch.name)) throw badRequest(`User ${patch.name} already exists, username must be unique`);
  }
  if (patch.password !== undefined) assertPassword(patch.password);
  if (patch.name !== undefined && patch.name !== name) d.servers.assertRenamable(name);
  const change: UserChange = {};
  if (patch.admin !== undefined) change.admin = patch.admin;
  if (patch.password !== undefined) change.passwordHash = await hashPassword(patch.password);
  if (patch.name !== undefined && patch.name !== name) change.name = patch.name;
  // One transaction: a rename refused (the name taken meanwhile) leaves the flag and the password unchanged.
  await d.store.users.update(name, change);
  // A new password ends every other session at once (whoever knew the old one is out); tokens stay, as JupyterHub's.
  if (change.passwordHash !== undefined) {
    await d.store.sessions.deleteOfUser(change.name ?? name, keepSession);
    d.revocations?.revokeSessionsOf(name, keepSession);
  }
  d.identity.forget(name);
  return (await d.store.users.get(change.name ?? name)) as UserRecord;
};

export const deleteUser = async (d: UserAdminDeps, name: string, by: string): Promise<void> => {
  if (!(await d.store.users.get(name))) throw notFound(`No such user: ${name}`);
  if (name === by) throw badRequest('Cannot delete yourself!');
  await d.servers.removeUser(name, by);
  await d.store.users.delete(name);
  d.identity.forget(name);
  d.revocations?.revokeUser(name);
};
