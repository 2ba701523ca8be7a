import type { PasswordAuthenticator } from '../../core/authenticator.js';
import type { Store } from '../../core/store.js';
import { hashPassword, verifyPassword } from '../passwords.js';

let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword('nbhub: no such user'));

/** Local accounts: the password's argon2id hash in the hub's store. */
export const localAuthenticator = (store: Store): PasswordAuthenticator => ({
  kind: 'local',
  login: async (username, password) => {
    const user = await store.users.get(username);
    // Unknown users (and users without a password) cost a hash check too: timing does not reveal names.
    const ok = (await verifyPassword(user?.passwordHash ?? (await dummyHash()), password)) && user?.passwordHash != null;
    if (!ok) return { ok: false, reason: user ? 'wrong password' : 'unknown user or no password' };
    return { ok: true, user: { name: user.name, admin: null, groups: null, via: 'password' } };
  },
});
