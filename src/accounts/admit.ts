import { audit, type AuditTrail } from '../core/audit.js';
import type { Authenticated } from '../core/authenticator.js';
import type { Clock } from '../core/clock.js';
import type { IdentityCache } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import type { UserRecord } from '../core/models.js';
import type { Store } from '../core/store.js';

/**
 * Makes someone an authenticator vouched for a user of the hub: created at their first login (without a password:
 * their directory or provider holds it), their admin flag and groups brought in step when the authenticator
 * manages them (an `identity_sync` audit event when that changed either, and the identity cache told, so a demoted
 * admin is no longer one at their other sessions' next request). Returns the user as stored now.
 */
export const admitUser = async (deps: { store: Store; clock: Clock; log?: Logger; auditTrail?: AuditTrail | undefined; identity?: Pick<IdentityCache, 'forget'> }, who: Authenticated): Promise<UserRecord> => {
  const now = deps.clock.now();
  let user = await deps.store.users.get(who.name);
  // A new user was not admin before: created admin by their first login counts as a change.
  const adminBefore = user?.admin ?? false;
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
  const sync: { admin?: boolean; groups?: string[] } = {};
  if (who.admin !== null && who.admin !== user.admin) {
    await deps.store.users.update(user.name, { admin: who.admin });
    user = { ...user, admin: who.admin };
  }
  if (who.admin !== null && who.admin !== adminBefore) sync.admin = who.admin;
  if (who.groups !== null) {
    const before = (await deps.store.groups.ofUser(user.name)).sort();
    const after = [...new Set(who.groups)].sort();
    if (before.length !== after.length || before.some((g, i) => g !== after[i])) {
      await deps.store.groups.setUserGroups(user.name, after, now);
      sync.groups = after;
    }
  }
  if (sync.admin !== undefined || sync.groups !== undefined) {
    if (deps.log) audit({ log: deps.log, auditTrail: deps.auditTrail }, { event: 'identity_sync', user: user.name, ...sync, by: who.via });
    deps.identity?.forget(user.name);
  }
  return user;
};
