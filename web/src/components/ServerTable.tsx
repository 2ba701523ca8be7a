import { ago, displayName, stopReason } from '../format.js';
import { serverPagePath } from '../router.js';
import type { ServerModel, UserModel } from '../types.js';
import { FailureDetails } from './FailureDetails.js';
import { Link } from './Link.js';
import { ServerActions } from './ServerActions.js';
import { StateBadge } from './StateBadge.js';

/** The default server as the console shows it before it was ever started. */
export const blankDefaultServer = (user: string): ServerModel => ({
  name: '',
  ready: false,
  pending: null,
  stopped: true,
  url: `/user/${encodeURIComponent(user)}/`,
  started: null,
  last_activity: null,
  user_options: {},
  nbhub: {
    state: 'stopped',
    profile: '',
    stop_reason: null,
    stopped_at: null,
    stop_requested_at: null,
    requested_by: null,
    exit_status: null,
    log_tail: null,
    message: null,
    cull_at: null,
    cull_warn_at: null,
    cull_reason: null,
  },
});

/** The default server first (always listed), then named servers by name. */
export const serverRows = (u: UserModel): Array<{ server: ServerModel; exists: boolean }> => {
  const named = Object.values(u.servers)
    .filter((s) => s.name !== '')
    .sort((a, b) => a.name.localeCompare(b.name));
  const def = u.servers[''];
  return [{ server: def ?? blankDefaultServer(u.name), exists: def !== undefined }, ...named.map((server) => ({ server, exists: true }))];
};

const ServerRow = (p: { user: string; server: ServerModel; exists: boolean; onChanged: () => void }) => {
  const s = p.server;
  const why = stopReason(s);
  return (
    // One tbody per server keeps its failure details with its row.
    <tbody data-testid="server-row" data-user={p.user} data-server={s.name}>
      <tr>
        <td>
          <Link href={serverPagePath(p.user, s.name)} testid="server-name">
            {displayName(s.name)}
          </Link>
        </td>
        <td>{p.exists ? s.nbhub.profile : '—'}</td>
        <td>
          <StateBadge state={s.nbhub.state} />
          {why && (
            <div class="muted small" data-testid="server-stop-reason" title={s.nbhub.stopped_at ?? undefined}>
              {why}
            </div>
          )}
        </td>
        <td>{ago(s.last_activity)}</td>
        <td>
          <ServerActions user={p.user} server={s} exists={p.exists} onChanged={p.onChanged} />
        </td>
      </tr>
      {s.nbhub.state === 'failed' && (
        <tr class="details">
          <td colSpan={5}>
            <FailureDetails server={s} />
          </td>
        </tr>
      )}
    </tbody>
  );
};

export const ServerTable = (p: { user: UserModel; onChanged: () => void }) => (
  <table class="servers" data-testid="server-table" data-user={p.user.name}>
    <thead>
      <tr>
        <th>Server</th>
        <th>Profile</th>
        <th>State</th>
        <th>Last activity</th>
        <th>Actions</th>
      </tr>
    </thead>
    {serverRows(p.user).map(({ server, exists }) => (
      <ServerRow key={server.name} user={p.user.name} server={server} exists={exists} onChanged={p.onChanged} />
    ))}
  </table>
);
