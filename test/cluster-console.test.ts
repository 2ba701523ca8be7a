import { describe, expect, it } from 'vitest';
import { clusterShape, isoOf, itemsOf, jobFinished, newClusterProblem, userList } from '../web/src/clusters.js';
import { parseRoute } from '../web/src/router.js';

/** The console's clusters pages: what it reads from the API's answers and from the create form. */
describe("the console's clusters", () => {
  it('routes /hub/clusters and /hub/clusters/{name}', () => {
    expect(parseRoute('/hub/clusters')).toEqual({ page: 'clusters' });
    expect(parseRoute('/hub/clusters/')).toEqual({ page: 'clusters' });
    expect(parseRoute('/hub/clusters/demo')).toEqual({ page: 'cluster', name: 'demo' });
    expect(parseRoute('/hub/clusters/demo/x')).toEqual({ page: 'not-found' });
  });
  it('reads a list as a plain array or a page of items', () => {
    expect(itemsOf([1, 2])).toEqual([1, 2]);
    expect(itemsOf({ items: [3] })).toEqual([3]);
    expect(itemsOf(undefined)).toEqual([]);
  });
  it('offers kill only for jobs Spark has not finished', () => {
    expect(['SUBMITTED', 'RUNNING', 'RELAUNCHING'].map((state) => jobFinished({ state }))).toEqual([false, false, false]);
    expect(['FINISHED', 'FAILED', 'KILLED', 'ERROR', 'UNKNOWN'].map((state) => jobFinished({ state }))).toEqual([true, true, true, true, true]);
  });
  it('shows shapes and times as people read them', () => {
    expect(clusterShape({ workers: 2, worker_cores: 1, worker_memory: '1g' })).toBe('2 × 1 core, 1g');
    expect(clusterShape({ workers: 3, worker_cores: 4, worker_memory: '512m' })).toBe('3 × 4 cores, 512m');
    expect(isoOf(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoOf('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00Z');
    expect(isoOf(null)).toBeNull();
  });
  it("checks the create form's numbers before sending, and reads its users", () => {
    expect(newClusterProblem({ name: 'demo', workers: '2', cores: '1', memory: '1g' })).toBeUndefined();
    expect(newClusterProblem({ name: ' ', workers: '2', cores: '1', memory: '1g' })).toMatch(/^Name/);
    expect(newClusterProblem({ name: 'demo', workers: '0', cores: '1', memory: '1g' })).toMatch(/^Workers/);
    expect(newClusterProblem({ name: 'demo', workers: '2', cores: 'x', memory: '1g' })).toMatch(/^Cores/);
    expect(newClusterProblem({ name: 'demo', workers: '2', cores: '1', memory: '1 GB' })).toMatch(/^Memory/);
    expect(userList(' bob, carol  dave,')).toEqual(['bob', 'carol', 'dave']);
  });
});
