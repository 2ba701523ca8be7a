import { useState } from 'preact/hooks';
import { ago, displayName, stopReason } from '../format.js';
import { serverPagePath } from '../router.js';
import { defaultProfile, profileLabel } from '../profiles.js';
import type { Profile, ServerModel, UserModel } from '../types.js';
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

const ServerRow = (p: { user: string; server: ServerModel; exists: boolean; profiles: Profile[] | undefined; onChanged: () => void }) => {
  const s = p.server;
  const why = stopReason(s);
  // Dismissed until it fails again (a later failure has another stop time).
  const [dismissed, setDismissed] = useState<string | null>(null);
  // What it runs; a default server never started yet will run the default profile.
  const profile = p.exists ? s.nbhub.profile : defaultProfile(p.profiles)?.name;
  return (
    // One tbody per server keeps its failure details with its row.
    <tbody data-testid="server-row" data-user={p.user} data-server={s.name}>
      <tr>
        <td>
          <Link href={serverPagePath(p.user, s.name)} testid="server-name">
            {displayName(s.name)}
          </Link>
        </td>
        <td data-testid="server-profile" title={profile && `profile ${profile}`}>
          {profile ? profileLabel(profile, p.profiles) : '—'}
        </td>
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
      {s.nbhub.state === 'failed' && dismissed !== s.nbhub.stopped_at && (
        <tr class="details">
          <td colSpan={5}>
            <FailureDetails server={s} onDismiss={() => setDismissed(s.nbhub.stopped_at)} />
          </td>
        </tr>
      )}
    </tbody>
  );
};

export const ServerTable = (p: { user: UserModel; profiles: Profile[] | undefined; onChanged: () => void }) => (
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
      <ServerRow key={server.name} user={p.user.name} server={server} exists={exists} profiles={p.profiles} onChanged={p.onChanged} />
    ))}
  </table>
);
