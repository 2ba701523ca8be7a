import type { Clock } from '../core/clock.js';
import { badRequest, notFound } from '../core/errors.js';
import { sha256hex, type IdGenerator } from '../core/ids.js';
import type { TokenRecord } from '../core/models.js';
import type { Store } from '../core/store.js';

/** API tokens: shown once, stored as a SHA-256 hash (they carry 256 bits of entropy, so no slow hash is needed). */
export const TOKEN_PREFIX = 'nbh_';

/** The longest lifetime a token may be given: beyond a date's range its expiry could not be stored or shown. */
export const MAX_TOKEN_LIFETIME_SECONDS = 100 * 366 * 86_400;

export interface NewToken {
  token: string;
  record: TokenRecord;
}

export const createToken = async (
  deps: { store: Store; clock: Clock; ids: IdGenerator },
  user: string,
  options: { note?: string | undefined; expiresInSeconds?: number | null | undefined; scopes?: string[] | null | undefined; roles?: string[] | null | undefined } = {},
): Promise<NewToken> => {
  if (!(await deps.store.users.get(user))) throw notFound(`No such user: ${user}`);
  if (options.expiresInSeconds != null && options.expiresInSeconds <= 0) throw badRequest('expires_in must be positive');
  if (options.expiresInSeconds != null && options.expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS) throw badRequest(`expires_in must be at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (100 years)`);
  const token = TOKEN_PREFIX + deps.ids.random(32);
  const now = deps.clock.now();
  const record: TokenRecord = {
    id: 'a' + deps.ids.random(9),
    user,
    hash: sha256hex(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 4),
    note: options.note ?? '',
    created: now,
    expiresAt: options.expiresInSeconds != null ? now + options.expiresInSeconds * 1000 : null,
    lastActivity: null,
    scopes: options.scopes ?? null,
    roles: options.roles ?? null,
  };
  await deps.store.tokens.create(record);
  return { token, record };
};
