import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord, SparkJobRecord } from '../core/clusters.js';
import type { TestStore } from './testing.js';

/** Spark clusters and their jobs' history, the same in every Store (called by each dialect's test). */
export const clustersStoreContract = (name: string, open: () => Promise<{ store: TestStore; cleanup: () => Promise<void> }>): void => {
  describe(`Store contract (clusters and jobs): ${name}`, () => {
    let store: TestStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    const cluster = (n: string): ClusterRecord => ({
      name: n,
      kind: 'spark',
      owner: 'alice',
      users: ['bob', 'carol'],
      workers: 2,
      workerCores: 1,
      workerMemoryMb: 1536,
      desired: 'stopped',
      state: 'stopped',
      handle: null,
      endpoints: null,
      failure: null,
      created: 1_790_000_000_123,
      started: null,
      stopped: null,
    });

    it('creates a cluster once, keeps it whole (handle, endpoints, users), writes and deletes it', async () => {
      expect(await store.clusters.create(cluster('c1'))).toBe(true);
      expect(await store.clusters.create({ ...cluster('c1'), owner: 'mallory' })).toBe(false);
      expect(await store.clusters.get('c1')).toEqual(cluster('c1'));
      const running: ClusterRecord = {
        ...cluster('c1'),
        desired: 'running',
        state: 'running',
        handle: { v: 1, kind: 'local-spark', host: 'h', processes: [{ role: 'master', pid: 12, startTime: 34 }] },
        endpoints: { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: 'http://127.0.0.1:8080' },
        started: 1_790_000_009_999,
        failure: 'a line\nand another',
      };
      expect(await store.clusters.put(running)).toBe(true);
      expect(await store.clusters.get('c1')).toEqual(running);
      expect(await store.clusters.put(cluster('absent'))).toBe(false);
      await store.clusters.create(cluster('a0'));
      expect((await store.clusters.list()).map((c) => c.name)).toEqual(['a0', 'c1']);
      expect(await store.clusters.delete('c1')).toBe(true);
      expect(await store.clusters.delete('c1')).toBe(false);
      expect(await store.clusters.get('c1')).toBeUndefined();
    });

    const job = (id: string, o: Partial<SparkJobRecord> = {}): SparkJobRecord => ({
      id,
      cluster: 'c1',
      user: 'alice',
      resource: 's3://jars/pi.jar',
      mainClass: 'org.example.Pi',
      args: ['10', 'with space'],
      conf: { 'spark.executor.memory': '512m' },
      submissionId: null,
      appId: null,
      state: 'SUBMITTED',
      message: null,
      submitted: 1_790_000_000_000,
      ended: null,
      ...o,
    });

    it('keeps the jobs submitted: what they became, and who asked for what, never rewritten', async () => {
      await store.sparkJobs.put(job('j1'));
      await store.sparkJobs.put(job('j2', { user: 'bob', submitted: 1_790_000_000_500 }));
      await store.sparkJobs.put(job('j3', { cluster: 'c2', submitted: 1_790_000_001_000 }));
      // An update changes what the job became, not who submitted what.
      await store.sparkJobs.put(job('j1', { user: 'mallory', resource: 's3://x/y', state: 'FINISHED', submissionId: 'driver-1', appId: 'app-1', ended: 1_790_000_002_000 }));
      expect(await store.sparkJobs.get('j1')).toEqual(job('j1', { state: 'FINISHED', submissionId: 'driver-1', appId: 'app-1', ended: 1_790_000_002_000 }));
      const all = await store.sparkJobs.list({ offset: 0, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.items.map((j) => j.id)).toEqual(['j3', 'j2', 'j1']);
      expect((await store.sparkJobs.list({ cluster: 'c1', offset: 0, limit: 1 })).items.map((j) => j.id)).toEqual(['j2']);
      expect((await store.sparkJobs.list({ cluster: 'c1', offset: 1, limit: 1 })).total).toBe(2);
      expect((await store.sparkJobs.list({ user: 'bob', offset: 0, limit: 10 })).items.map((j) => j.id)).toEqual(['j2']);
      expect(await store.sparkJobs.get('nope')).toBeUndefined();
    });
  });
};
