import { FINAL_JOB_STATES, type ClusterRecord, type SparkJobRecord } from '../core/clusters.js';
import type { DriverStatus } from './spark-rest.js';

/** What the hub saw of an unfinished job's cluster and driver. */
export type JobObservation =
  | { kind: 'cluster-gone' }
  | { kind: 'cluster'; cluster: Pick<ClusterRecord, 'state' | 'started' | 'failure'> }
  | { kind: 'driver'; status: DriverStatus | null };

/**
 * Whether the observed cluster still holds the job's driver; false when it stopped, failed, or started again
 * since the job was submitted (its drivers went with the old processes). A cluster starting for the first
 * time since (an adopting hub) is waited for.
 */
export const clusterHoldsDriver = (job: Pick<SparkJobRecord, 'submitted'>, c: Pick<ClusterRecord, 'state' | 'started'>): boolean =>
  (c.state === 'running' || c.state === 'starting') && !(c.started !== null && c.started > job.submitted);

/**
 * The job's next record, or null when nothing changed (pure). An unfinished job never stays RUNNING once its
 * cluster is gone: KILLED when the cluster was stopped, UNKNOWN when it failed, was deleted, or its master
 * forgot the driver.
 */
export const nextJob = (job: SparkJobRecord, seen: JobObservation, now: number): SparkJobRecord | null => {
  if (FINAL_JOB_STATES.has(job.state)) return null;
  const end = (state: SparkJobRecord['state'], message: string | null): SparkJobRecord => ({ ...job, state, message, ended: now });
  switch (seen.kind) {
    case 'cluster-gone':
      return end('UNKNOWN', `Cluster ${job.cluster} was deleted while the job ran`);
    case 'cluster': {
      const c = seen.cluster;
      if (clusterHoldsDriver(job, c)) return null;
      if (c.state === 'failed') return end('UNKNOWN', `Cluster ${job.cluster} failed while the job ran${c.failure ? `: ${c.failure.split('\n')[0]}` : ''}`);
      return end('KILLED', `Cluster ${job.cluster} was stopped while the job ran`);
    }
    case 'driver': {
      if (seen.status === null) return end('UNKNOWN', `The master of cluster ${job.cluster} no longer knows driver ${job.submissionId ?? '(none)'}`);
      const { state, message } = seen.status;
      if (state === job.state && (message === null || message === job.message)) return null;
      const next = { ...job, state, message: message ?? job.message };
      return FINAL_JOB_STATES.has(state) ? { ...next, ended: now } : next;
    }
  }
};
