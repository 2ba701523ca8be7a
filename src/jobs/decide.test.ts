import { describe, expect, it } from 'vitest';
import type { SparkJobRecord } from '../core/clusters.js';
import { nextJob } from './decide.js';

const job: SparkJobRecord = {
  id: 'j1', cluster: 'c1', user: 'alice', resource: 's3://b1b/pi.jar', mainClass: 'Pi', args: [], conf: {},
  submissionId: 'driver-1', appId: null, state: 'SUBMITTED', message: null, submitted: 1000, ended: null,
};
const driver = (state: SparkJobRecord['state'], message: string | null = null) => ({ kind: 'driver' as const, status: { state, workerId: 'w', workerHostPort: 'h:1', message } });

describe('nextJob', () => {
  it('follows the driver: RUNNING, then FINISHED with an end', () => {
    const running = nextJob(job, driver('RUNNING'), 2000);
    expect(running).toMatchObject({ state: 'RUNNING', ended: null });
    expect(nextJob(running!, driver('RUNNING'), 3000)).toBeNull();
    expect(nextJob(running!, driver('FINISHED'), 4000)).toMatchObject({ state: 'FINISHED', ended: 4000 });
    expect(nextJob(running!, driver('ERROR', 'java.lang.ClassNotFoundException: Pi'), 4000)).toMatchObject({ state: 'ERROR', message: 'java.lang.ClassNotFoundException: Pi', ended: 4000 });
  });

  it('a finished job never changes', () => {
    const done = { ...job, state: 'FINISHED' as const, ended: 5 };
    expect(nextJob(done, { kind: 'cluster-gone' }, 9)).toBeNull();
    expect(nextJob(done, driver('RUNNING'), 9)).toBeNull();
  });

  it('a driver the master forgot is UNKNOWN', () => {
    expect(nextJob({ ...job, state: 'RUNNING' }, { kind: 'driver', status: null }, 7)).toMatchObject({ state: 'UNKNOWN', ended: 7, message: expect.stringMatching(/no longer knows driver driver-1/) });
  });

  it('a stopped, failed, restarted or deleted cluster ends its unfinished jobs', () => {
    const running = { ...job, state: 'RUNNING' as const };
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'running', started: 500, failure: null } }, 9)).toBeNull();
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'starting', started: 500, failure: null } }, 9)).toBeNull();
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'stopping', started: 500, failure: null } }, 9)).toMatchObject({ state: 'KILLED', message: 'Cluster c1 was stopped while the job ran', ended: 9 });
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'stopped', started: 500, failure: null } }, 9)).toMatchObject({ state: 'KILLED' });
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'running', started: 1500, failure: null } }, 9)).toMatchObject({ state: 'KILLED' });
    expect(nextJob(running, { kind: 'cluster', cluster: { state: 'failed', started: 500, failure: 'its worker-1 (pid 3) ended\nlast lines' } }, 9)).toMatchObject({
      state: 'UNKNOWN',
      message: 'Cluster c1 failed while the job ran: its worker-1 (pid 3) ended',
    });
    expect(nextJob(running, { kind: 'cluster-gone' }, 9)).toMatchObject({ state: 'UNKNOWN', message: 'Cluster c1 was deleted while the job ran' });
  });
});
