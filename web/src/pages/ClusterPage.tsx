import { api, ApiError } from '../api.js';
import { ClusterActions } from '../components/ClusterActions.js';
import { ClusterState } from '../components/ClusterState.js';
import { JobTable } from '../components/JobTable.js';
import { clusterLogSource, LogPanel } from '../components/LogPanel.js';
import { Link } from '../components/Link.js';
import { clusterShape, isoOf } from '../clusters.js';
import { ago } from '../format.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import type { UserModel } from '../types.js';

const POLL_MS = 2000;

/** One cluster: its shape, state (with the failure open), who may use it, its controls, its jobs and its processes' output. */
export const ClusterPage = (p: { name: string; me: UserModel }) => {
  const cluster = usePoll(() => api.cluster(p.name), POLL_MS, `cluster:${p.name}`);
  const c = cluster.data;
  if (!c) {
    if (cluster.error)
      return (
        <main>
          <p class="error" role="alert" data-testid="cluster-page-error">
            {cluster.error instanceof ApiError && cluster.error.status === 404 ? `There is no cluster ${p.name}.` : cluster.error.message}
          </p>
          <Link href="/hub/clusters">All clusters</Link>
        </main>
      );
    return <main class="muted">Loading…</main>;
  }
  return (
    <main data-testid="cluster-page" data-cluster={c.name}>
      <h1>
        <Link href="/hub/clusters">Clusters</Link> / {c.name}
      </h1>
      <ClusterActions cluster={c} me={p.me} onChanged={cluster.refresh} onDeleted={() => navigate('/hub/clusters')} />
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <ClusterState cluster={c} open />
        </dd>
        <dt>Kind</dt>
        <dd>{c.kind}</dd>
        <dt>Workers</dt>
        <dd data-testid="cluster-shape">{clusterShape(c)}</dd>
        <dt>Owner</dt>
        <dd>{c.owner}</dd>
        <dt>Shared with</dt>
        <dd>{c.users.length > 0 ? c.users.join(', ') : '—'}</dd>
        <dt>UI</dt>
        <dd>
          <code>{c.ui_url}</code>
        </dd>
        <dt>Created</dt>
        <dd>{ago(isoOf(c.created))}</dd>
        <dt>Started</dt>
        <dd>{ago(isoOf(c.started))}</dd>
        <dt>Stopped</dt>
        <dd>{ago(isoOf(c.stopped))}</dd>
      </dl>
      {cluster.error && (
        <p class="error" role="alert">
          Lost contact with the cluster's record ({cluster.error.message}); retrying.
        </p>
      )}
      <JobTable cluster={c.name} />
      <LogPanel source={clusterLogSource(c.name)} state={c.state} />
    </main>
  );
};
