import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SampleEvent } from '../../core/events.js';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clustersStoreContract } from '../clusters.contract.js';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract } from '../store.contract.js';
import { usageSeriesContract } from '../series.contract.js';
import { createSqliteStore } from './sqlite-store.js';

const openSqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-store-'));
  const file = join(dir, 'hub.sqlite');
  return {
    store: createSqliteStore(file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    // Another process's store on the same file (the CLI beside the hub).
    peer: () => createSqliteStore(file),
    file,
    rows: async (query: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(query).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
  };
};

storeContract('sqlite', openSqlite);
monitoringStoreContract('sqlite', openSqlite);
usageSeriesContract('sqlite', openSqlite);
clustersStoreContract('sqlite', openSqlite);

describe('SQLite store: a large batch does not hold the event loop', () => {
  it('lets the event loop turn while a sweep of 1,000 runtimes is stored, and stores it once, with its offset', async () => {
    const { store, cleanup } = await openSqlite();
    try {
      await store.migrate();
      const T = 1_800_000_000_000;
      await store.agents.register({ id: 'local', url: null, secret: null, at: T });
      await store.agents.claim('local', 'hub', T, T + 60_000);
      // 1,000 runtimes × (the runtime + 3 kernels), as one sweep's samples.
      const events: SampleEvent[] = [];
      for (let r = 0; r < 1000; r++) {
        for (const kernel of ['', 'k1', 'k2', 'k3']) {
          events.push({ type: 'sample', offset: events.length + 1, time: T, user: `u${r}`, server: '', kernel: kernel && `${kernel}-${r}`, cpu_from: 0, cpu: 1, memory: 100 });
        }
      }
      const usage = events.map((e) => ({ user: e.user, server: e.server, kernel: e.kernel, t: e.time, cpuFrom: e.cpu_from, cpu: e.cpu, memory: e.memory }));
      const batch = { agent: 'local', owner: 'hub', after: 0, through: events.length, throughTime: T, events, usage, notebooks: [], lost: 0, headOffset: events.length, headTime: T, at: T };
      // What else the hub does meanwhile (the proxy, the API): turns of the loop, each asking the store how
      // many events it holds, until the batch is stored.
      const seen: Array<Promise<number>> = [];
      let counting = true;
      const turn = () => {
        if (!counting) return;
        seen.push(store.events.page(0, 10_000).then((p) => p.length));
        setImmediate(turn);
      };
      setImmediate(turn);
      await store.events.store(batch);
      counting = false;
      // The loop turned between the batch's statements; a read asked meanwhile waited for the transaction
      // (one connection) and saw the batch whole, never a part of it.
      expect(seen.length).toBeGreaterThanOrEqual(5);
      expect(new Set(await Promise.all(seen))).toEqual(new Set([events.length]));
      expect((await store.agents.get('local'))?.storedOffset).toBe(events.length);
      await expect(store.events.store(batch)).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('copies the write-ahead log back into the database file beside the event loop (checkpoints by a worker thread)', async () => {
    const { store, cleanup, file } = await openSqlite();
    try {
      await store.migrate();
      const before = statSync(file).size;
      for (let i = 0; i < 200; i++) await store.users.create({ name: `user-${i}`, admin: false, passwordHash: 'x'.repeat(500), created: i, lastActivity: null });
      // The hub's connection checkpoints nothing itself (wal_autocheckpoint = 0): the worker does.
      await expect.poll(() => statSync(file).size, { timeout: 10_000 }).toBeGreaterThan(before);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
