/**
 * A cell's Spark CPU from Spark's own REST API answers (pure): the jobs of its group
 * (`/api/v1/applications/{app}/jobs`) and the attempts of their stages (`…/stages/{id}`).
 */

/** The part of a job (v1 JobData) read here. */
export interface SparkJob {
  jobId: number;
  jobGroup?: string | null;
  status: string;
  stageIds: number[];
  submissionTime?: string | null;
}

/** The part of a stage attempt (v1 StageData) read here; executorCpuTime is in nanoseconds. */
export interface SparkStageAttempt {
  stageId: number;
  attemptId: number;
  status: string;
  executorCpuTime: number;
  submissionTime?: string | null;
}

/** The job group the kernel extension gives a cell's jobs: `nbhub-` and the execute_request's msg_id. */
export const cellGroup = (msgId: string): string => `nbhub-${msgId}`;

const FINAL_JOB = new Set(['SUCCEEDED', 'FAILED']);
const FINAL_STAGE = new Set(['COMPLETE', 'FAILED', 'SKIPPED']);

/** Spark writes `2026-12-06T21:24:22.609GMT`; null when absent or unreadable. */
export const sparkTime = (t: string | null | undefined): number | null => {
  if (!t) return null;
  const ms = Date.parse(t.replace(/GMT$/, 'Z'));
  return Number.isNaN(ms) ? null : ms;
};

export type CellCost =
  /** No job of the group in this application. */
  | { kind: 'none' }
  /** A job or one of its stages is still running: its figures would grow. */
  | { kind: 'pending' }
  | { kind: 'final'; cpuSeconds: number };

/**
 * The jobs of `group`, and their stage attempts by stage id (an id the API no longer knows: []). Each stage
 * counts once, even when several of the group's jobs list it. A stage a job found already computed (a
 * shuffle reused from an earlier job, submitted before this job) is that earlier job's cost, not this one's.
 */
export const cellCost = (group: string, jobs: readonly SparkJob[], stages: ReadonlyMap<number, readonly SparkStageAttempt[]>): CellCost => {
  const mine = jobs.filter((j) => j.jobGroup === group);
  if (mine.length === 0) return { kind: 'none' };
  if (mine.some((j) => !FINAL_JOB.has(j.status))) return { kind: 'pending' };
  // Each stage with the earliest submission among the group's jobs that list it.
  const since = new Map<number, number | null>();
  for (const j of mine) {
    const t = sparkTime(j.submissionTime);
    for (const id of j.stageIds) {
      const prev = since.get(id);
      since.set(id, prev === undefined ? t : prev === null || t === null ? null : Math.min(prev, t));
    }
  }
  let ns = 0;
  for (const [id, jobStart] of since) {
    for (const a of stages.get(id) ?? []) {
      if (!FINAL_STAGE.has(a.status)) return { kind: 'pending' };
      const submitted = sparkTime(a.submissionTime);
      if (a.status === 'SKIPPED' || (jobStart !== null && submitted !== null && submitted < jobStart)) continue;
      ns += a.executorCpuTime;
    }
  }
  return { kind: 'final', cpuSeconds: Math.round(ns / 1e6) / 1e3 };
};

/** The sum over applications: pending if any is, none if all are. */
export const combine = (costs: readonly CellCost[]): CellCost => {
  if (costs.some((c) => c.kind === 'pending')) return { kind: 'pending' };
  const finals = costs.filter((c): c is Extract<CellCost, { kind: 'final' }> => c.kind === 'final');
  if (finals.length === 0) return { kind: 'none' };
  return { kind: 'final', cpuSeconds: Math.round(finals.reduce((s, c) => s + c.cpuSeconds, 0) * 1e3) / 1e3 };
};
