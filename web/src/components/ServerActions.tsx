import { LIFECYCLE_DOING, useLifecycleAction } from '../action.js';
import { api } from '../api.js';
import { navigate, startPagePath } from '../router.js';
import type { ServerModel } from '../types.js';
import { ConfirmButton } from './ConfirmButton.js';
import { Link } from './Link.js';

export interface ServerActionsProps {
  user: string;
  server: ServerModel;
  /** False for a default server that has never been started (no record yet, so no profile to reuse). */
  exists: boolean;
  onChanged: () => void;
  onRemoved?: () => void;
}

/** Start / stop / open / delete of one server, with the request's progress and error in place. */
export const ServerActions = (p: ServerActionsProps) => {
  const action = useLifecycleAction(p.onChanged, () => p.onRemoved?.());
  const { doing, act } = action;
  const { state, profile } = p.server.nbhub;
  const name = p.server.name;
  const canStart = state === 'stopped' || state === 'failed';
  const canStop = state === 'running' || state === 'pending';
  return (
    <div class="actions">
      {canStart && (
        <button
          type="button"
          data-testid="server-start"
          disabled={action.busy}
          // Restart with the profile it had; the API would otherwise use the hub's default profile. Then its start
          // page follows the start and lands in the server.
          onClick={() =>
            void act('start', async () => {
              await api.beginStart(p.user, name, p.exists ? profile : undefined);
              navigate(startPagePath(p.user, name));
            })
          }
        >
          Start
        </button>
      )}
      {canStop && (
        <button type="button" data-testid="server-stop" disabled={action.busy} onClick={() => void act('stop', () => api.stopServer(p.user, name))}>
          Stop
        </button>
      )}
      {state === 'pending' && (
        <Link class="button" href={startPagePath(p.user, name)} testid="server-follow-start">
          Follow the start
        </Link>
      )}
      {p.server.ready && (
        <a class="button" data-testid="server-open" href={p.server.url} target="_blank" rel="noopener">
          Open
        </a>
      )}
      {name !== '' && (
        <ConfirmButton
          label="Delete"
          question={`Delete ${name} and its files?`}
          testid="server-delete"
          disabled={action.busy}
          onConfirm={() => void act('delete', () => api.removeServer(p.user, name))}
        />
      )}
      {doing && action.busy && <span class="muted" data-testid="server-busy">{LIFECYCLE_DOING[doing]}</span>}
      {action.error && (
        <span class="error" role="alert" data-testid="server-error">
          {action.error}
        </span>
      )}
    </div>
  );
};
