import { createTestDatabase } from '../../../test/helpers/postgres.js';
import { describe, expect, it } from 'vitest';
import { newServerRecord } from '../../core/models.js';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract } from '../store.contract.js';
import { createPostgresStore } from './postgres-store.js';

// A fresh database per run on the machine's PostgreSQL (127.0.0.1:5432, trust auth).
const openPostgres = async () => {
  const database = await createTestDatabase('nbhub_test');
  return { store: createPostgresStore(database.url), cleanup: database.drop };
};

storeContract('postgres', openPostgres);
monitoringStoreContract('postgres', openPostgres);

describe('PostgreSQL store: server changes are announced to the other instances', () => {
  it('tells a watcher of every new version and deletion written (through the pool, not its own connection), not of activity alone', async () => {
    const { store: a, cleanup } = await openPostgres();
    await a.migrate();
    const seen: Array<{ user: string; name: string; version: number | null }> = [];
    const stop = await (a.servers.watch as NonNullable<typeof a.servers.watch>)((c) => seen.push(c));
    try {
      const rec = { ...newServerRecord('zoe', 'w', 1), owner: 'x', version: 1 };
      expect(await a.servers.write(rec)).toBe(true);
      await a.servers.noteActivity('zoe', 'w', 99);
      expect(await a.servers.claim('zoe', 'w', { from: 'x', version: 1, to: 'y' })).toBe(true);
      await a.servers.delete('zoe', 'w');
      await expect.poll(() => seen.length).toBe(3);
      expect(seen).toEqual([
        { user: 'zoe', name: 'w', version: 1 },
        { user: 'zoe', name: 'w', version: 2 },
        { user: 'zoe', name: 'w', version: null },
      ]);
    } finally {
      await stop();
      await a.close();
      await cleanup();
    }
  });
});
