import type { Clock } from '../core/clock.js';
import { badRequest } from '../core/errors.js';
import type { UserRecord } from '../core/models.js';
import { isValidUserName, USER_NAME_PATTERN } from '../core/names.js';
import type { Store } from '../core/store.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.js';

export const assertUserName = (name: string): void => {
  if (!isValidUserName(name)) throw badRequest(`Invalid user name ${JSON.stringify(name)}: must match ${USER_NAME_PATTERN}`);
};

export const assertPassword = (password: string): void => {
  if (password.length < MIN_PASSWORD_LENGTH) throw badRequest(`Password must have at least ${MIN_PASSWORD_LENGTH} characters`);
};

/** Creates a local user; throws CONFLICT when the name is taken. */
export const addUser = async (
  deps: { store: Store; clock: Clock },
  name: string,
  options: { admin?: boolean | undefined; password?: string | undefined } = {},
): Promise<UserRecord> => {
  assertUserName(name);
  if (options.password !== undefined) assertPassword(options.password);
  const record: UserRecord = {
    name,
    admin: options.admin ?? false,
    passwordHash: options.password !== undefined ? await hashPassword(options.password) : null,
    created: deps.clock.now(),
    lastActivity: null,
  };
  await deps.store.users.create(record);
  return record;
};
