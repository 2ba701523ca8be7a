import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { isoOf, jobBadge, jobFinished } from '../clusters.js';
import { ago } from '../format.js';
import { usePoll } from '../poll.js';
import type { SparkJobModel } from '../types.js';

const JOBS_POLL_MS = 3000;

/** One job's driver output (GET …/jobs/{id}: driver_log), followed while the job runs. */
const DriverLog = (p: { cluster: string; job: SparkJobModel }) => {
  const one = usePoll(() => api.clusterJob(p.cluster, p.job.id), jobFinished(p.job) ? 60_000 : JOBS_POLL_MS, `job:${p.cluster}/${p.job.id}`);
  if (one.error)
    return (
      <p class="error" role="alert" data-testid="job-log-error">
        {one.error.message}
      </p>
    );
  if (!one.data) return <p class="muted">Loading…</p>;
  const log = one.data.driver_log;
  return log ? <pre data-testid="job-log">{log}</pre> : <p class="muted" data-testid="job-log-empty">No driver output yet.</p>;
};

const JobRow = (p: { cluster: string; job: SparkJobModel; onChanged: () => void }) => {
  const kill = useAction();
  const [showLog, setShowLog] = useState(false);
  const j = p.job;
  return (
    <tbody data-testid="job-row" data-job={j.id}>
      <tr>
        <td>
          <code>{j.id}</code>
        </td>
        <td>{j.user}</td>
        <td>
          <code>{j.resource}</code>
          {j.main_class && <div class="muted small">{j.main_class}</div>}
        </td>
        <td>
          <span class={`badge ${jobBadge(j.state)}`} data-testid="job-state" data-state={j.state}>
            {j.state}
          </span>
        </td>
        <td class="small" title={isoOf(j.submitted) ?? ''}>
          {ago(isoOf(j.submitted))}
        </td>
        <td class="small" title={isoOf(j.ended) ?? ''}>
          {ago(isoOf(j.ended))}
        </td>
        <td>
          <div class="actions">
            {j.ui_url && (
              <a class="button" href={j.ui_url} target="_blank" rel="noopener" data-testid="job-ui">
                App UI
              </a>
            )}
            <button type="button" data-testid="job-log-toggle" onClick={() => setShowLog(!showLog)}>
              {showLog ? 'Hide log' : 'Driver log'}
            </button>
            {!jobFinished(j) && (
              <button type="button" class="danger" data-testid="job-kill" disabled={kill.busy} onClick={() => void kill.run(() => api.killJob(p.cluster, j.id)).then(p.onChanged)}>
                {kill.busy ? 'Killing…' : 'Kill'}
              </button>
            )}
            {kill.error && (
              <span class="error" role="alert" data-testid="job-error">
                {kill.error}
              </span>
            )}
          </div>
        </td>
      </tr>
      {j.message && (
        <tr>
          <td colSpan={7} class="muted small" data-testid="job-message">
            {j.message}
          </td>
        </tr>
      )}
      {showLog && (
        <tr>
          <td colSpan={7}>
            <DriverLog cluster={p.cluster} job={j} />
          </td>
        </tr>
      )}
    </tbody>
  );
};

/** The applications submitted to a cluster through the hub, newest first, each with its state, log and kill. */
export const JobTable = (p: { cluster: string }) => {
  const jobs = usePoll(() => api.clusterJobs(p.cluster), JOBS_POLL_MS, `jobs:${p.cluster}`);
  return (
    <section data-testid="jobs">
      <h2>Jobs</h2>
      {jobs.error && (
        <p class="error" role="alert" data-testid="jobs-error">
          Could not list jobs: {jobs.error.message}
        </p>
      )}
      {!jobs.data && !jobs.error && <p class="muted">Loading…</p>}
      {jobs.data?.length === 0 && <p class="muted" data-testid="jobs-none">No job was submitted to this cluster through the hub yet.</p>}
      {jobs.data && jobs.data.length > 0 && (
        <table class="servers">
          <thead>
            <tr>
              <th>Id</th>
              <th>User</th>
              <th>Application</th>
              <th>State</th>
              <th>Submitted</th>
              <th>Ended</th>
              <th />
            </tr>
          </thead>
          {jobs.data.map((j) => (
            <JobRow key={j.id} cluster={p.cluster} job={j} onChanged={jobs.refresh} />
          ))}
        </table>
      )}
    </section>
  );
};
