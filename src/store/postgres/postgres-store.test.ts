import { createTestDatabase } from '../../../test/helpers/postgres.js';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newServerRecord } from '../../core/models.js';
import type { EventBatchWrite } from '../../core/store.js';
import type { TestStore } from '../testing.js';
import { ORDER_LOCK } from './postgres-bulk.js';
import { clustersStoreContract } from '../clusters.contract.js';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract, type HoldWrite } from '../store.contract.js';
import { usageSeriesContract } from '../series.contract.js';
import { epochHolds } from './postgres-dialect.js';
import { createPostgresStore } from './postgres-store.js';

// A fresh database per run on the machine's PostgreSQL (127.0.0.1:5432, trust auth).
const openPostgres = async () => {
  const database = await createTestDatabase('nbhub_test');
  return {
    store: createPostgresStore(database.url),
    cleanup: database.drop,
    // Another hub instance on the same database.
    peer: () => createPostgresStore(database.url),
    rows: (query: string) => database.query<Record<string, unknown>>(query),
  };
};

/** A writer on a connection of its own, its transaction open until commit. */
const holdWrite = (url: string): HoldWrite => async (statement) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('begin');
  await c.query(statement);
  return {
    commit: async () => {
      await c.query('commit');
      await c.end();
    },
  };
};

storeContract('postgres', async () => {
  const database = await createTestDatabase('nbhub_test');
  return { store: createPostgresStore(database.url), cleanup: database.drop, holdWrite: holdWrite(database.url) };
});
monitoringStoreContract('postgres', openPostgres);
usageSeriesContract('postgres', openPostgres);
clustersStoreContract('postgres', openPostgres);

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

const T = 1_800_000_000_000;

/** Compiles PostgreSQL statements without a connection (to run the store's own SQL on a test's connection). */
const compileOnly = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** One agent sample at `after + 1`, as a batch from agent n (claimed by hub-a). */
const sampleBatch = (after: number, user: string): EventBatchWrite => ({
  agent: 'n', owner: 'hub-a', after, through: after + 1, throughTime: T,
  events: [{ type: 'sample', offset: after + 1, time: T + after, user, server: '', kernel: '', cpu_from: after, cpu: after + 1, memory: 5 }],
  usage: [{ user, server: '', kernel: '', t: T + after, cpuFrom: after, cpu: after + 1, memory: 5 }],
  notebooks: [], lost: 0, headOffset: after + 1, headTime: T, at: T,
});

/**
 * A migrated store whose agent n is held by hub-a, and a second connection of its own (another writer,
 * whose transactions the test holds open).
 */
const withAgentStore = async (run: (s: { store: TestStore; other: pg.Client; database: Awaited<ReturnType<typeof createTestDatabase>> }) => Promise<void>) => {
  const database = await createTestDatabase('nbhub_test');
  const store = createPostgresStore(database.url);
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await store.migrate();
    await store.agents.register({ id: 'n', url: 'http://x', secret: 's', at: T });
    await store.agents.claim('n', 'hub-a', T, T + 60_000);
    await run({ store, other, database });
  } finally {
    await other.end();
    await store.close();
    await database.drop();
  }
};

/** Whether `p` is still pending after half a second (it waits for a lock the test holds). */
const stillWaiting = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 500));
  return !done;
};

describe('PostgreSQL store: stored events get their seq in commit order', () => {
  it('writes a batch in one statement that waits for the order lock before numbering its events, and refuses a lost race with nothing written', () =>
    withAgentStore(async ({ store, other }) => {
      // Another writer holds the lock (between taking its seqs and committing them): this batch waits for it.
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock($1)', [ORDER_LOCK]);
      const storing = store.events.store(sampleBatch(0, 'ann'));
      expect(await stillWaiting(storing)).toBe(true);
      expect(await store.events.page(0, 10)).toEqual([]);
      await other.query('commit');
      await storing;
      expect((await store.events.page(0, 10)).map((e) => e.event.offset)).toEqual([1]);
      // A second writer from the same offset: CONFLICT, and none of its rows (the guard gates every table).
      await expect(store.events.store(sampleBatch(0, 'bob'))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.usage.query({ resolution: '1d', from: 0, to: T * 2, user: 'bob', kernels: 'runtime' })).toEqual([]);
      expect((await store.agents.get('n'))?.storedOffset).toBe(1);
    }));
});

describe('PostgreSQL store: a batch under remembered series ids and another instance deleting the series', () => {
  it('waits for the deletion to commit, then stores its rows under the series as it is then (none under the gone id)', () =>
    withAgentStore(async ({ store, other, database }) => {
      await store.events.store(sampleBatch(0, 'zed')); // zed's series id is remembered now
      // Another instance deletes zed's usage, as users.delete does, and has not committed yet.
      await other.query('begin');
      await other.query('update usage_series_epoch set epoch = epoch + 1');
      for (const t of ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d']) await other.query(`delete from ${t} where series in (select id from usage_series where user_name = 'zed')`);
      await other.query(`delete from usage_series where user_name = 'zed'`);
      const storing = store.events.store(sampleBatch(1, 'zed'));
      expect(await stillWaiting(storing)).toBe(true);
      await other.query('commit');
      await storing;
      const raw = await store.usage.query({ resolution: 'raw', from: 0, to: T * 2, user: 'zed', kernels: 'runtime' });
      expect(raw.map((r) => r.t)).toEqual([T + 1]);
      const [gone] = await database.query<{ n: number }>('select count(*)::int as n from usage_raw u where not exists (select 1 from usage_series s where s.id = u.series)');
      expect(gone?.n).toBe(0);
    }));
});

describe('PostgreSQL store: the series epoch moves under ingest from many agents', () => {
  it('renames a user with usage while writers keep overlapping: a writer coming later waits behind the rename, which is not starved, and then sees the new epoch', () =>
    withAgentStore(async ({ store, other, database }) => {
      await store.users.create({ name: 'kim', admin: false, passwordHash: null, created: T, lastActivity: null });
      await store.events.store(sampleBatch(0, 'kim'));
      const [row] = await database.query<{ epoch: string }>('select epoch from usage_series_epoch');
      // What a batch's statement holds until it commits, as the store writes it.
      const holds = sql<boolean>`select ${epochHolds(Number(row?.epoch))} as held`.compile(compileOnly);
      const third = new pg.Client({ connectionString: database.url });
      await third.connect();
      try {
        await other.query('begin');
        expect((await other.query(holds.sql, [...holds.parameters])).rows[0].held).toBe(true);
        const renaming = store.users.update('kim', { name: 'kit' });
        expect(await stillWaiting(renaming)).toBe(true);
        // Another batch begins while the rename waits for the first: it queues behind the rename.
        await third.query('begin');
        const later = third.query(holds.sql, [...holds.parameters]);
        expect(await stillWaiting(later)).toBe(true);
        await other.query('commit');
        await renaming;
        expect((await later).rows[0].held).toBe(false);
        await third.query('commit');
      } finally {
        await third.end();
      }
      expect((await store.usage.query({ resolution: 'raw', from: 0, to: T * 2, user: 'kit', kernels: 'runtime' })).map((r) => r.t)).toEqual([T]);
    }));
});
