import { LIFECYCLE_DOING, useLifecycleAction } from '../action.js';
import { api } from '../api.js';
import type { ClusterModel } from '../types.js';
import { ConfirmButton } from './ConfirmButton.js';

/**
 * Open, start, stop and delete of one cluster: admins do all, its owner starts and stops it (the hub decides
 * again and says why when it refuses), a user it is shared with opens it.
 */
export const ClusterActions = (p: { cluster: ClusterModel; me: { name: string; admin: boolean }; onChanged: () => void; onDeleted?: () => void }) => {
  const action = useLifecycleAction(p.onChanged, () => p.onDeleted?.());
  const { doing, act } = action;
  const c = p.cluster;
  const mayRun = p.me.admin || p.me.name === c.owner;
  return (
    <div class="actions">
      {c.state === 'running' && (
        // Outside the console: a plain link, the browser goes there with the session cookie.
        <a class="button" href={c.ui_url} target="_blank" rel="noopener" data-testid="cluster-open">
          Open UI
        </a>
      )}
      {mayRun && (c.state === 'stopped' || c.state === 'failed') && (
        <button type="button" data-testid="cluster-start" disabled={action.busy} onClick={() => void act('start', () => api.startCluster(c.name))}>
          Start
        </button>
      )}
      {mayRun && (c.state === 'running' || c.state === 'starting') && (
        <button type="button" data-testid="cluster-stop" disabled={action.busy} onClick={() => void act('stop', () => api.stopCluster(c.name))}>
          Stop
        </button>
      )}
      {p.me.admin && (
        <ConfirmButton
          label="Delete"
          question={`Delete cluster ${c.name}, stopping it first?`}
          testid="cluster-delete"
          disabled={action.busy}
          onConfirm={() => void act('delete', () => api.deleteCluster(c.name))}
        />
      )}
      {doing && <span class="muted small">{LIFECYCLE_DOING[doing]}</span>}
      {action.error && (
        <span class="error" role="alert" data-testid="cluster-error">
          {action.error}
        </span>
      )}
    </div>
  );
};
