import type { Clock } from '../core/clock.js';
import { sha256hex, type IdGenerator } from '../core/ids.js';
import type { SessionRecord } from '../core/models.js';
import type { Store } from '../core/store.js';

/** A login session: the cookie holds a random id; the store holds only its hash. */
export const createSession = async (
  deps: { store: Store; clock: Clock; ids: IdGenerator },
  user: string,
  maxAgeSeconds: number,
): Promise<{ id: string; record: SessionRecord }> => {
  const id = deps.ids.random(32);
  const now = deps.clock.now();
  const record: SessionRecord = {
    idHash: sha256hex(id),
    user,
    xsrf: deps.ids.random(24),
    created: now,
    expiresAt: now + maxAgeSeconds * 1000,
  };
  await deps.store.sessions.create(record);
  return { id, record };
};
