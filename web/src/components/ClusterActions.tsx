import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import type { ClusterModel } from '../types.js';
import { ConfirmButton } from './ConfirmButton.js';

type Doing = 'start' | 'stop' | 'delete';
const DOING: Record<Doing, string> = { start: 'Starting…', stop: 'Stopping…', delete: 'Deleting…' };

/**
 * Open, start, stop and delete of one cluster: admins do all, its owner starts and stops it (the hub decides
 * again and says why when it refuses), a user it is shared with opens it.
 */
export const ClusterActions = (p: { cluster: ClusterModel; me: { name: string; admin: boolean }; onChanged: () => void; onDeleted?: () => void }) => {
  const action = useAction();
  const [doing, setDoing] = useState<Doing | undefined>(undefined);
  const c = p.cluster;
  const mayRun = p.me.admin || p.me.name === c.owner;
  const act = async (what: Doing, fn: () => Promise<unknown>) => {
    setDoing(what);
    // Show the new state as soon as the hub has it, not when the (possibly slow) request answers.
    const early = setTimeout(p.onChanged, 300);
    const ok = await action.run(fn);
    clearTimeout(early);
    setDoing(undefined);
    p.onChanged();
    if (ok && what === 'delete') p.onDeleted?.();
  };
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
      {doing && <span class="muted small">{DOING[doing]}</span>}
      {action.error && (
        <span class="error" role="alert" data-testid="cluster-error">
          {action.error}
        </span>
      )}
    </div>
  );
};
