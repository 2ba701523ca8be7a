import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_USAGE_USER } from '../core/cluster-usage.js';
import type { UsageRow } from '../core/store.js';
import { memoryStore, type TestStore } from '../store/testing.js';
import { parseClusterUsageParams } from './cluster-params.js';
import { queryClusterUsage } from './cluster-query.js';
import { queryUsage } from './query.js';
import { parseUsageParams } from './params.js';
import { toObjects } from './testing.js';

const NOW = 1_800_000_000_000;
const o = { now: NOW, intervalSeconds: 10, retentionDays: { raw: 2, '1m': 30, '1h': 400, '1d': 1100 } };
/** Two samples 10 s apart in the last minute: the series used `cpu` seconds between them and peaked at `memory`. */
const used = (user: string, server: string, kernel: string, cpu: number, memory: number): UsageRow[] => [
  { user, server, kernel, t: NOW - 30_000, cpuFrom: 0, cpu: 0, memory },
  { user, server, kernel, t: NOW - 20_000, cpuFrom: 0, cpu, memory },
];

describe('a cluster’s usage, read back', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await memoryStore();
    await store.usage.write([
      ...used(CLUSTER_USAGE_USER, 'etl', '', 26, 1000),
      ...used(CLUSTER_USAGE_USER, 'etl', 'master', 1, 300),
      ...used(CLUSTER_USAGE_USER, 'etl', 'worker-1', 2, 200),
      ...used(CLUSTER_USAGE_USER, 'etl', 'app/app-1-0000/alice', 10, 250),
      ...used(CLUSTER_USAGE_USER, 'etl', 'driver/driver-1-0000/alice', 3, 150),
      ...used(CLUSTER_USAGE_USER, 'etl', 'app/app-1-0001/bob', 10, 100),
      // Another cluster, and alice's own server called etl: neither is this cluster's.
      ...used(CLUSTER_USAGE_USER, 'other', 'master', 50, 50),
      ...used('alice', 'etl', '', 40, 40),
    ]);
    // alice's driver was submitted through the hub as a job that knows its application.
    await store.sparkJobs.put({ id: 'j1', cluster: 'etl', user: 'alice', resource: 's3://b/k.jar', mainClass: 'M', args: [], conf: {}, submissionId: 'driver-1-0000', appId: 'app-1-0000', state: 'RUNNING', message: null, submitted: NOW - 60_000, ended: null });
  });
  afterAll(async () => store.close());

  const ask = async (query: Record<string, string>) =>
    toObjects(await queryClusterUsage(store, 'etl', parseClusterUsageParams({ from: String((NOW - 60_000) / 1000), to: String(NOW / 1000), ...query }, o), NOW));
  /** Each group's labels with its CPU seconds and peak memory, in a stable order. */
  const totals = async (query: Record<string, string>) =>
    (await ask(query)).totals.map((t) => [t.labels, t.cpu_seconds, t.peak_memory]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

  it('per component (the default): master, workers, each application’s executors, a driver under its job’s application', async () => {
    expect(await totals({})).toEqual([
      [{ component: 'driver', application: 'app-1-0000', user: 'alice' }, 3, 150],
      [{ component: 'executors', application: 'app-1-0000', user: 'alice' }, 10, 250],
      [{ component: 'executors', application: 'app-1-0001', user: 'bob' }, 10, 100],
      [{ component: 'master', application: '', user: '' }, 1, 300],
      [{ component: 'worker-1', application: '', user: '' }, 2, 200],
    ]);
    // Points per step, as the server usage API gives them.
    expect((await ask({ component: 'master', step: '60' })).series).toEqual([
      { labels: { component: 'master', application: '', user: '' }, points: [{ t: (NOW - 60_000) / 1000, cpu: 0.016667, memory: 300 }] },
    ]);
  });

  it('per application and per submitting user, the master and workers being no one’s', async () => {
    expect(await totals({ group_by: 'application' })).toEqual([
      [{ application: 'app-1-0000', user: 'alice' }, 13, 400],
      [{ application: 'app-1-0001', user: 'bob' }, 10, 100],
    ]);
    expect(await totals({ group_by: 'user' })).toEqual([
      [{ user: 'alice' }, 13, 400],
      [{ user: 'bob' }, 10, 100],
    ]);
    expect(await totals({ group_by: 'user', user: 'bob' })).toEqual([[{ user: 'bob' }, 10, 100]]);
    expect(await totals({ application: 'app-1-0000', component: 'driver' })).toEqual([[{ component: 'driver', application: 'app-1-0000', user: 'alice' }, 3, 150]]);
  });

  it('as a whole', async () => {
    expect(await totals({ group_by: 'cluster' })).toEqual([[{ cluster: 'etl' }, 26, 1000]]);
  });

  it('is not in anyone’s usage: an admin asking every user’s sees alice’s server, not the clusters', async () => {
    const all = toObjects(await queryUsage(store, parseUsageParams({ from: String((NOW - 60_000) / 1000), to: String(NOW / 1000), group_by: 'user' }, o), NOW));
    expect(all.totals.map((t) => t.labels)).toEqual([{ user: 'alice' }]);
  });

  it('refuses bad parameters, naming them', () => {
    expect(() => parseClusterUsageParams({ group_by: 'kernel' }, o)).toThrow(/group_by: must be one of cluster, component, application, user/);
    expect(() => parseClusterUsageParams({ server: 'x' }, o)).toThrow(/server: unknown parameter/);
    expect(() => parseClusterUsageParams({ user: '' }, o)).toThrow(/user: give it once/);
    expect(() => parseClusterUsageParams({ from: 'yesterday' }, o)).toThrow(/from: "yesterday" is not a time/);
    expect(() => parseClusterUsageParams({ group_by: 'cluster', user: 'bob' }, o)).toThrow(/takes no component, application or user/);
  });
});
