import { api } from '../api.js';
import { ClusterForm } from '../components/ClusterForm.js';
import { ClusterTable } from '../components/ClusterTable.js';
import { usePoll } from '../poll.js';
import type { UserModel } from '../types.js';

const POLL_MS = 2000;

/** The Spark clusters the caller may use (admins: all of them, and a form to create one). */
export const ClustersPage = (p: { me: UserModel }) => {
  const clusters = usePoll(api.clusters, POLL_MS, 'clusters');
  const list = [...(clusters.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <main>
      <h1>Clusters</h1>
      {clusters.error && (
        <p class="error" role="alert" data-testid="clusters-error">
          Could not list clusters: {clusters.error.message}
        </p>
      )}
      {!clusters.data && !clusters.error && <p class="muted">Loading…</p>}
      {clusters.data && list.length === 0 && (
        <p class="muted" data-testid="clusters-none">
          {p.me.admin ? 'No cluster yet: create one below.' : 'No cluster is shared with you.'}
        </p>
      )}
      {list.length > 0 && <ClusterTable clusters={list} me={p.me} onChanged={clusters.refresh} />}
      {p.me.admin && (
        <section>
          <h2>New cluster</h2>
          <ClusterForm me={p.me.name} onChanged={clusters.refresh} />
        </section>
      )}
    </main>
  );
};
