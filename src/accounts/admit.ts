import type { Authenticated } from '../core/authenticator.js';
import type { Clock } from '../core/clock.js';
import type { UserRecord } from '../core/models.js';
import type { Store } from '../core/store.js';

/**
 * Makes someone an authenticator vouched for a user of the hub: created at their first login (without a password:
 * their directory or provider holds it), their admin flag and groups brought in step when the authenticator
 * manages them. Returns the user as stored now.
 */
export const admitUser = async (deps: { store: Store; clock: Clock }, who: Authenticated): Promise<UserRecord> => {
  const now = deps.clock.now();
  let user = await deps.store.users.get(who.name);
  if (!user) {
    const created: UserRecord = { name: who.name, admin: who.admin ?? false, passwordHash: null, created: now, lastActivity: null };
    try {
      await deps.store.users.create(created);
    } catch (err) {
      // Two first logins at once: the other one created it.
      if ((err as { code?: string }).code !== 'CONFLICT') throw err;
    }
    user = (await deps.store.users.get(who.name)) ?? created;
  }
  if (who.admin !== null && who.admin !== user.admin) {
    await deps.store.users.update(user.name, { admin: who.admin });
    user = { ...user, admin: who.admin };
  }
  if (who.groups !== null) await deps.store.groups.setUserGroups(user.name, who.groups, now);
  return user;
};
