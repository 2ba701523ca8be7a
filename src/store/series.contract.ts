import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLUTIONS, type EventBatchWrite, type Resolution, type UsageRow } from '../core/store.js';
import type { TestStore } from './testing.js';

/** Two stores on one database (two hub instances, each remembering series ids of its own), and its tables. */
export interface SharedStores {
  store: TestStore;
  cleanup: () => Promise<void>;
  /** Another store on the same database. */
  peer(): TestStore;
  /** Rows of a query, straight from the database (test code only). */
  rows(query: string): Promise<Record<string, unknown>[]>;
}

const DAY = 86_400_000;

/**
 * A user's usage follows a rename, goes with a deletion, and series left without rows are pruned, and no
 * instance then writes rows under an id whose series is gone: such rows would be invisible and never pruned.
 * For every Store (called by each dialect's test, like storeContract).
 */
export const usageSeriesContract = (name: string, open: () => Promise<SharedStores>): void => {
  describe(`Store contract (usage series): ${name}`, () => {
    let s: SharedStores;
    let store: TestStore;
    let peer: TestStore;
    beforeAll(async () => {
      s = await open();
      store = s.store;
      await store.migrate();
      peer = s.peer();
    });
    afterAll(async () => {
      await peer.close();
      await store.close();
      await s.cleanup();
    });

    const row = (user: string, kernel: string, t: number, cpuFrom: number, cpu: number, memory = 100): UsageRow => ({ user, server: '', kernel, t, cpuFrom, cpu, memory });
    const usage = async (user: string, resolution: Resolution, kernel = '') =>
      (await store.usage.query({ resolution, from: 0, to: 4e12, user, kernels: kernel === '' ? 'runtime' : { id: kernel } })).map((r) => [r.t, r.cpuFrom, r.cpu, r.memory]);
    const everywhere = async (user: string) => {
      const out: unknown[] = [];
      for (const r of RESOLUTIONS) out.push(...(await usage(user, r)), ...(await store.usage.query({ resolution: r, from: 0, to: 4e12, user, kernels: 'kernels' })));
      return out;
    };
    const count = async (query: string) => Number((await s.rows(query))[0]?.['n']);
    /** Usage rows whose series row is gone: invisible to every query. */
    const dangling = async () => {
      let n = 0;
      for (const t of ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d']) n += await count(`select count(*) as n from ${t} u where not exists (select 1 from usage_series s where s.id = u.series)`);
      return n;
    };
    const seriesOf = async (user: string) =>
      (await s.rows(`select kernel from usage_series where user_name = '${user}' order by kernel`)).map((r) => r['kernel']);

    it('moves a renamed user’s usage and notebooks to the new name, merged with what that name had, and another instance writes to the right series after', async () => {
      const T = 1_750_000_000_000 - (1_750_000_000_000 % DAY);
      await store.usage.write([row('kim', '', T, 0, 1), row('kim', '', T + 10_000, 1, 2), row('kim', '', T + 20_000, 2, 3), row('kim', 'k1', T, 0, 5)]);
      // The other instance writes for both names (late samples under the new one), remembering their ids.
      await peer.usage.write([row('kim', '', T + 30_000, 3, 4), row('lee', '', T + 20_000, 0, 50, 999), row('lee', '', T + 40_000, 50, 51)]);
      await store.usage.noteNotebooks([{ user: 'kim', server: '', kernel: 'k1', notebook: 'a.ipynb' }, { user: 'kim', server: '', kernel: 'k1', notebook: 'b.ipynb' }], T);
      await peer.usage.noteNotebooks([{ user: 'lee', server: '', kernel: 'k1', notebook: 'a.ipynb' }], T + 1);
      await store.users.create({ name: 'kim', admin: false, passwordHash: null, created: T, lastActivity: null });

      await store.users.update('kim', { name: 'lee' });
      expect(await everywhere('kim')).toEqual([]);
      expect(await store.usage.notebooks({ user: 'kim' })).toEqual([]);
      // Both names' rows, in one series; at a time both had, the new name's raw row stays, rollups fold.
      expect(await usage('lee', 'raw')).toEqual([[T, 0, 1, 100], [T + 10_000, 1, 2, 100], [T + 20_000, 0, 50, 999], [T + 30_000, 3, 4, 100], [T + 40_000, 50, 51, 100]]);
      expect(await usage('lee', '1m')).toEqual([[T, 0, 51, 999]]);
      expect(await usage('lee', '1d')).toEqual([[T, 0, 51, 999]]);
      expect(await usage('lee', '1h', 'k1')).toEqual([[T, 0, 5, 100]]);
      expect((await store.usage.notebooks({ user: 'lee' })).map((n) => [n.kernel, n.notebook])).toEqual([['k1', 'a.ipynb'], ['k1', 'b.ipynb']]);
      expect(await seriesOf('lee')).toEqual(['', 'k1']);

      // The other instance still remembers both runtimes' ids (kim's merged away): its rows land by name.
      await peer.usage.write([row('kim', '', T + 50_000, 4, 6), row('lee', '', T + 60_000, 51, 52)]);
      await peer.usage.write([row('lee', 'k1', T + 60_000, 5, 7)]);
      expect(await usage('kim', 'raw')).toEqual([[T + 50_000, 4, 6, 100]]);
      expect((await usage('lee', 'raw')).map(([t]) => t)).toContain(T + 60_000);
      expect(await usage('lee', 'raw', 'k1')).toEqual([[T, 0, 5, 100], [T + 60_000, 5, 7, 100]]);
      expect(await dangling()).toBe(0);
    });

    it('deletes a user’s usage at every resolution and notebooks, and another instance’s later samples for the name start afresh', async () => {
      const T = 1_760_000_000_000 - (1_760_000_000_000 % DAY);
      await store.usage.write([row('mo', '', T, 0, 1), row('mo', 'k1', T, 0, 2)]);
      await peer.usage.write([row('mo', '', T + 10_000, 1, 3)]);
      await store.usage.noteNotebooks([{ user: 'mo', server: '', kernel: 'k1', notebook: 'a.ipynb' }], T);
      await store.users.create({ name: 'mo', admin: false, passwordHash: null, created: T, lastActivity: null });

      await store.users.delete('mo');
      expect(await everywhere('mo')).toEqual([]);
      expect(await store.usage.notebooks({ user: 'mo' })).toEqual([]);
      expect(await seriesOf('mo')).toEqual([]);

      // A new mo: the other instance, remembering the old one's id, stores an agent's batch for the name.
      await peer.agents.register({ id: 'node-mo', url: 'http://x', secret: 's', at: T });
      await peer.agents.claim('node-mo', 'hub-b', T, T + 60_000);
      const batch: EventBatchWrite = {
        agent: 'node-mo', owner: 'hub-b', after: 0, through: 1, throughTime: T + 20_000,
        events: [{ type: 'sample', offset: 1, time: T + 20_000, user: 'mo', server: '', kernel: '', cpu_from: 3, cpu: 4, memory: 100 }],
        usage: [row('mo', '', T + 20_000, 3, 4)], notebooks: [], lost: 0, headOffset: 1, headTime: T + 20_000, at: T,
      };
      await peer.events.store(batch);
      expect(await usage('mo', 'raw')).toEqual([[T + 20_000, 3, 4, 100]]);
      expect(await usage('mo', '1d')).toEqual([[T, 3, 4, 100]]);
      expect(await dangling()).toBe(0);
    });

    it('prunes series left without rows, keeps the others, and another instance’s later samples for a pruned one are kept', async () => {
      const T = 1_700_000_000_000 - (1_700_000_000_000 % DAY);
      await store.usage.write([row('pat', '', T, 0, 1), row('pat', 'k2', T, 0, 1), row('pat', 'k2', T + 3 * DAY, 1, 2)]);
      await peer.usage.write([row('pat', '', T + 10_000, 1, 2)]);
      const before = await count(`select count(*) as n from usage_series`);
      await store.usage.prune({ raw: T + 2 * DAY, '1m': T + 2 * DAY, '1h': T + 2 * DAY, '1d': T + DAY });
      expect(await seriesOf('pat')).toEqual(['k2']);
      expect(await count(`select count(*) as n from usage_series`)).toBe(before - 1);
      expect(await usage('pat', 'raw', 'k2')).toEqual([[T + 3 * DAY, 1, 2, 100]]);

      // The other instance remembers the pruned series' id.
      await peer.usage.write([row('pat', '', T + 4 * DAY, 2, 3)]);
      expect(await usage('pat', 'raw')).toEqual([[T + 4 * DAY, 2, 3, 100]]);
      expect(await seriesOf('pat')).toEqual(['', 'k2']);
      expect(await dangling()).toBe(0);
    });
  });
};
