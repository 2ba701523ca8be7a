import { clusterBadge } from '../clusters.js';
import type { ClusterModel } from '../types.js';

/** The cluster's state, and for a failed one why, folded away until asked for (it can be a long log tail). */
export const ClusterState = (p: { cluster: Pick<ClusterModel, 'state' | 'failure'>; open?: boolean }) => {
  const badge = (
    <span class={`badge ${clusterBadge(p.cluster.state)}`} data-testid="cluster-state" data-state={p.cluster.state}>
      {p.cluster.state}
    </span>
  );
  if (!p.cluster.failure) return badge;
  return (
    <details class="failure" data-testid="cluster-failure" open={p.open}>
      <summary>{badge} why</summary>
      <pre>{p.cluster.failure}</pre>
    </details>
  );
};
