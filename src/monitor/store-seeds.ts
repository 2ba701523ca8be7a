import { runtimeKey, type SeedSource } from '../core/events.js';
import type { Store } from '../core/store.js';

/** Where stored counters stand, for agents: the in-process agent asks the store directly. */
export const storeSeeds = (store: Store): SeedSource => ({
  lastCounters: async (runtimes) =>
    new Map(await Promise.all(runtimes.map(async (r) => [runtimeKey(r), await store.usage.lastCounters(r.user, r.server, r.kernels)] as const))),
});
