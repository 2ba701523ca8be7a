import { clusterShape } from '../clusters.js';
import { clusterPagePath } from '../router.js';
import type { ClusterModel } from '../types.js';
import { ClusterActions } from './ClusterActions.js';
import { ClusterState } from './ClusterState.js';
import { Link } from './Link.js';

/** The clusters the caller may see, one row each with its shape, state and controls. */
export const ClusterTable = (p: { clusters: ClusterModel[]; me: { name: string; admin: boolean }; onChanged: () => void }) => (
  <table class="servers" data-testid="cluster-table">
    <thead>
      <tr>
        <th>Name</th>
        <th>Owner</th>
        <th>Workers</th>
        <th>State</th>
        <th />
      </tr>
    </thead>
    <tbody>
      {p.clusters.map((c) => (
        <tr key={c.name} data-testid="cluster-row" data-cluster={c.name}>
          <td>
            <Link href={clusterPagePath(c.name)} testid="cluster-name">
              {c.name}
            </Link>
          </td>
          <td data-testid="cluster-owner">
            {c.owner}
            {c.users.length > 0 && <span class="muted small"> + {c.users.join(', ')}</span>}
          </td>
          <td data-testid="cluster-shape">{clusterShape(c)}</td>
          <td>
            <ClusterState cluster={c} />
          </td>
          <td>
            <ClusterActions cluster={c} me={p.me} onChanged={p.onChanged} />
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);
