import type { ServiceConfig } from '../config/services-schema.js';
import { sha256hex } from '../core/ids.js';
import type { TokenRepo } from '../core/store.js';

/**
 * A service's token must not also be a user's: the same string would then be two identities, and whoever
 * holds one would be the other. Found at start-up (the config names the token; the store holds users'
 * tokens only as hashes). Returns the line that names the key, or null; the token itself is never in it.
 */
export const checkServiceTokens = async (tokens: Pick<TokenRepo, 'findByHash'>, services: readonly ServiceConfig[]): Promise<string | null> => {
  for (const [i, s] of services.entries()) {
    if (s.api_token === undefined) continue;
    const rec = await tokens.findByHash(sha256hex(s.api_token));
    if (rec) return `services.${i}.api_token: service ${s.name}'s token is also an API token of user ${rec.user}; give the service a token of its own`;
  }
  return null;
};
