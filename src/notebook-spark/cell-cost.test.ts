import { describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../core/clusters.js';
import { SparkRestCellCost, type FetchJson } from './cell-cost.js';

const UI = 'http://127.0.0.1:8080';
const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
const endpoints: ClusterRecord['endpoints'] = { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: UI };
const app = (id: string) => `${UI}/proxy/${id}/api/v1/applications/${id}`;

/** Spark's answers, in turn per URL (the last one repeats); every URL asked is kept. */
const spark = (answers: Record<string, unknown[]>) => {
  const asked: string[] = [];
  const fetchJson: FetchJson = async (url) => {
    asked.push(url);
    const list = answers[url];
    if (!list) return undefined;
    return list.length > 1 ? list.shift() : list[0];
  };
  return { asked, fetchJson };
};

const master = { activeapps: [{ id: 'app-1', user: 'alice' }, { id: 'app-2', user: 'bob' }] };
const job = (status: string) => [{ jobId: 0, jobGroup: 'nbhub-m1', status, stageIds: [0], submissionTime: '2026-12-06T21:24:13.640GMT' }];
const stage = (status: string, ns: number) => [{ stageId: 0, attemptId: 0, status, executorCpuTime: ns, submissionTime: '2026-12-06T21:24:13.723GMT' }];
const cell = { user: 'alice', server: 'lab', msgId: 'm1' };

const cost = (fetchJson: FetchJson, attached = true) =>
  new SparkRestCellCost({ clusterOf: () => (attached ? { endpoints } : undefined), fetchJson, log, delayMs: 1, noneMs: 1, finalMs: 4 });

describe("the cluster's share of a cell, read from Spark's REST API", () => {
  it("waits until the cell's jobs and stages are final, in whichever application they are", async () => {
    const s = spark({
      [`${UI}/json/`]: [master],
      [`${app('app-1')}/jobs`]: [job('RUNNING'), job('SUCCEEDED')],
      [`${app('app-1')}/stages/0`]: [stage('ACTIVE', 1_000), stage('ACTIVE', 2_000), stage('COMPLETE', 2_500_000_000)],
    });
    expect(await cost(s.fetchJson).cpuSeconds(cell, new AbortController().signal)).toBe(2.5);
    expect(s.asked.filter((u) => u.endsWith('app-1/jobs'))).toHaveLength(3);
    // Another application (the master names no runtime) is read too, and holds none of the cell's jobs.
    expect(s.asked.filter((u) => u.endsWith('app-2/jobs'))).toHaveLength(3);
  });

  it('is null without asking anything when the runtime has no cluster', async () => {
    const s = spark({});
    expect(await cost(s.fetchJson, false).cpuSeconds(cell, new AbortController().signal)).toBeNull();
    expect(s.asked).toEqual([]);
  });

  it('is null when no job of the cell shows up after a second look', async () => {
    const s = spark({ [`${UI}/json/`]: [master], [`${app('app-1')}/jobs`]: [[]] });
    expect(await cost(s.fetchJson).cpuSeconds(cell, new AbortController().signal)).toBeNull();
    expect(s.asked.filter((u) => u.endsWith('app-1/jobs'))).toHaveLength(2);
  });

  it('gives up (null) on jobs still running after its attempts, on an unreadable API, and when aborted', async () => {
    const running = spark({ [`${UI}/json/`]: [master], [`${app('app-1')}/jobs`]: [job('RUNNING')] });
    expect(await cost(running.fetchJson).cpuSeconds(cell, new AbortController().signal)).toBeNull();
    expect(running.asked.filter((u) => u.endsWith('app-1/jobs'))).toHaveLength(5);
    const broken: FetchJson = async () => {
      throw new Error('connection refused');
    };
    expect(await cost(broken).cpuSeconds(cell, new AbortController().signal)).toBeNull();
    const ac = new AbortController();
    ac.abort();
    expect(await cost(running.fetchJson).cpuSeconds(cell, ac.signal)).toBeNull();
  });
});
