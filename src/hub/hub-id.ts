import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../core/store.js';

const KEY = 'hub_id';

/**
 * This installation's id (every instance on one store shares it). The spawner marks runtimes with it
 * (NBHUB_HUB), so an agent follows only its own hub's runtimes on a machine several hubs use.
 */
export const hubIdentity = async (store: Store, ids: IdGenerator): Promise<string> => {
  const cur = await store.meta.get(KEY);
  if (cur) return cur;
  await store.meta.set(KEY, ids.random(12));
  return (await store.meta.get(KEY)) as string;
};
