import type { IdGenerator } from '../core/ids.js';
import type { Store } from '../core/store.js';

const KEY = 'hub_id';

/** Why a configured hub_id cannot be used with this store (it already has another), or null. */
export const hubIdClash = (stored: string | undefined, configured: string): string | null =>
  configured !== '' && stored && stored !== configured
    ? `hub_id: "${configured}" differs from this database's hub id "${stored}" (set hub_id to "${stored}" or leave it empty)`
    : null;

/**
 * This installation's id (every instance on one store shares it). The spawner marks runtimes with it
 * (NBHUB_HUB, the instance label of pods), so an agent follows only its own hub's runtimes on a machine
 * several hubs use. `configured` (hub_id) names it in advance, as the Helm chart does with its release name
 * so its agent pods carry the same instance label; empty: a random one on first start.
 */
export const hubIdentity = async (store: Store, ids: IdGenerator, configured = ''): Promise<string> => {
  const cur = await store.meta.get(KEY);
  const clash = hubIdClash(cur, configured);
  if (clash) throw new Error(clash);
  if (cur) return cur;
  await store.meta.set(KEY, configured || ids.random(12));
  return (await store.meta.get(KEY)) as string;
};
