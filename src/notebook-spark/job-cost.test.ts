import { describe, expect, it } from 'vitest';
import { cellCost, cellGroup, combine, sparkTime, type SparkJob, type SparkStageAttempt } from './job-cost.js';

// Shaped as Spark 4.3's /api/v1/applications/{app}/jobs and /stages/{id} answered for two cells (fields trimmed).
const A = cellGroup('802f5486_2');
const B = cellGroup('802f5486_3');
const jobs: SparkJob[] = [
  { jobId: 2, jobGroup: B, status: 'SUCCEEDED', stageIds: [3], submissionTime: '2026-12-06T21:24:24.228GMT' },
  { jobId: 1, jobGroup: A, status: 'SUCCEEDED', stageIds: [1, 2], submissionTime: '2026-12-06T21:24:22.609GMT' },
  { jobId: 0, jobGroup: A, status: 'SUCCEEDED', stageIds: [0], submissionTime: '2026-12-06T21:24:13.640GMT' },
];
const stage = (stageId: number, status: string, executorCpuTime: number, submissionTime: string | null, attemptId = 0): SparkStageAttempt => ({ stageId, attemptId, status, executorCpuTime, submissionTime });
const stages = new Map<number, SparkStageAttempt[]>([
  [0, [stage(0, 'COMPLETE', 1_816_609_837, '2026-12-06T21:24:13.723GMT')]],
  [1, [stage(1, 'SKIPPED', 0, null)]],
  [2, [stage(2, 'COMPLETE', 99_004_139, '2026-12-06T21:24:22.665GMT')]],
  [3, [stage(3, 'COMPLETE', 129_888_371, '2026-12-06T21:24:24.243GMT')]],
]);

describe("a cell's Spark CPU from Spark's REST answers", () => {
  it('sums the executorCpuTime of the stages of its group only, in seconds', () => {
    expect(cellCost(A, jobs, stages)).toEqual({ kind: 'final', cpuSeconds: 1.916 });
    expect(cellCost(B, jobs, stages)).toEqual({ kind: 'final', cpuSeconds: 0.13 });
    expect(cellCost(cellGroup('other'), jobs, stages)).toEqual({ kind: 'none' });
  });

  it('counts every attempt of a stage (a retried one cost twice), and a stage two jobs list once', () => {
    const retried = new Map(stages).set(0, [stage(0, 'FAILED', 500_000_000, '2026-12-06T21:24:13.723GMT'), stage(0, 'COMPLETE', 1_000_000_000, '2026-12-06T21:24:15.000GMT', 1)]);
    const twice = [...jobs, { jobId: 3, jobGroup: A, status: 'SUCCEEDED', stageIds: [0], submissionTime: '2026-12-06T21:24:30.000GMT' }];
    expect(cellCost(A, twice, retried)).toEqual({ kind: 'final', cpuSeconds: 1.599 });
  });

  it("leaves out a stage computed before the job that lists it (a reused shuffle): the earlier cell's cost", () => {
    const reuse: SparkJob[] = [{ jobId: 5, jobGroup: B, status: 'SUCCEEDED', stageIds: [0, 3], submissionTime: '2026-12-06T21:24:24.228GMT' }];
    expect(cellCost(B, reuse, stages)).toEqual({ kind: 'final', cpuSeconds: 0.13 });
  });

  it('is pending while a job of the group or one of its stages is not final', () => {
    expect(cellCost(A, [{ ...jobs[1]!, status: 'RUNNING' }, jobs[2]!], stages)).toEqual({ kind: 'pending' });
    expect(cellCost(A, jobs, new Map(stages).set(2, [stage(2, 'ACTIVE', 5, '2026-12-06T21:24:22.665GMT')]))).toEqual({ kind: 'pending' });
    // A stage the API does not know (any more) costs nothing.
    expect(cellCost(A, jobs, new Map([[0, stages.get(0)!]]))).toEqual({ kind: 'final', cpuSeconds: 1.817 });
  });

  it('adds applications, pending if any is', () => {
    expect(combine([{ kind: 'none' }, { kind: 'final', cpuSeconds: 1.25 }, { kind: 'final', cpuSeconds: 0.5 }])).toEqual({ kind: 'final', cpuSeconds: 1.75 });
    expect(combine([{ kind: 'final', cpuSeconds: 1 }, { kind: 'pending' }])).toEqual({ kind: 'pending' });
    expect(combine([{ kind: 'none' }])).toEqual({ kind: 'none' });
  });

  it("reads Spark's times", () => {
    expect(sparkTime('2026-12-06T21:24:22.609GMT')).toBe(Date.UTC(2026, 11, 6, 21, 24, 22, 609));
    expect(sparkTime(null)).toBeNull();
    expect(sparkTime('yesterday')).toBeNull();
  });
});
