import { Fragment } from 'preact';
import { api, ApiError } from '../api.js';
import { CullBanner } from '../components/CullBanner.js';
import { ServerHistory } from '../components/ServerHistory.js';
import { FailureDetails } from '../components/FailureDetails.js';
import { LogPanel, serverLogSource } from '../components/LogPanel.js';
import { RuntimePanel } from '../components/RuntimePanel.js';
import { ServerActions } from '../components/ServerActions.js';
import { blankDefaultServer } from '../components/ServerTable.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago, displayName, stopReason } from '../format.js';
import { usePoll } from '../poll.js';
import { executionFilterSearch, parseExecutionFilter } from '../executionFilter.js';
import { navigate, serverPagePath } from '../router.js';
import { profileLabel } from '../profiles.js';
import { optionFields } from '../options.js';
import { DeletedServer } from './DeletedServer.js';

/** One server in detail, with what it uses: /hub/servers/{user}/ (default) or /hub/servers/{user}/{server}. */
export const ServerPage = (p: { user: string; server: string; me: string; search: string }) => {
  const owner = usePoll(() => api.user(p.user), 2000, `user:${p.user}`);
  const profiles = usePoll(api.profiles, 60_000, 'profiles');
  if (owner.error && !owner.data) return (
      <main>
        <p class="error" role="alert" data-testid="server-page-error">
          {owner.error instanceof ApiError && owner.error.status === 404
            ? // Deleting a user deletes what the hub kept of them (servers, history, executions, usage): a name can be given to someone else.
              `There is no user named ${p.user}. When a user is deleted, their servers' history, executions and usage are deleted with them.`
            : owner.error.message}
        </p>
      </main>
    );
  if (!owner.data) return <main class="muted">Loading…</main>;
  const found = owner.data.servers[p.server];
  if (!found && p.server !== '') return <DeletedServer user={p.user} server={p.server} search={p.search} />;
  const s = found ?? blankDefaultServer(p.user);
  const n = s.nbhub;
  const why = stopReason(s);
  const logs = <LogPanel source={serverLogSource(p.user, p.server)} state={n.state} profiles={profiles.data} />;
  const { profile: _shownAbove, ...rest } = s.user_options;
  const options = optionFields(rest, (name) => profileLabel(name, profiles.data));
  return (
    <main data-testid="server-page">
      <h1>
        {p.user} / {displayName(s.name)} <StateBadge state={n.state} />
      </h1>
      {/* The signed-in user's own warnings are above every page already. */}
      {p.user !== p.me && <CullBanner user={p.user} servers={[s]} onChanged={owner.refresh} />}
      <ServerActions user={p.user} server={s} exists={found !== undefined} onChanged={owner.refresh} onRemoved={() => navigate('/hub/home')} />
      {n.state === 'failed' && <FailureDetails server={s} />}
      {/* A failed start's whole log, without asking; otherwise below the facts. */}
      {n.state === 'failed' && logs}
      <dl class="facts">
        <dt>URL</dt>
        <dd>
          <code>{s.url}</code>
        </dd>
        <dt>Profile</dt>
        <dd data-testid="server-profile" title={found ? `profile ${n.profile}` : undefined}>
          {found ? profileLabel(n.profile, profiles.data) : '—'}
        </dd>
        <dt>Started</dt>
        <dd>{ago(s.started)}</dd>
        <dt>Last activity</dt>
        <dd>{ago(s.last_activity)}</dd>
        {why && (
          <>
            <dt>Stopped</dt>
            <dd data-testid="server-stop-reason" title={n.stopped_at ?? undefined}>
              {why}
            </dd>
          </>
        )}
        {n.cull_at && (
          <>
            <dt>Stops by itself</dt>
            <dd data-testid="server-cull-at" title={n.cull_at}>
              {ago(n.cull_at)} {n.cull_reason === 'idle' ? 'if it stays idle' : 'at its maximum age'}
            </dd>
          </>
        )}
        <dt>Last change requested by</dt>
        <dd>{n.requested_by ?? '—'}</dd>
        {n.exit_status !== null && (
          <>
            <dt>Exit status</dt>
            <dd>{n.exit_status}</dd>
          </>
        )}
        {/* The options it was started with, as label: value (the profile is above). */}
        {options.map((o) => (
          <Fragment key={o.key}>
            <dt>{o.label}</dt>
            <dd data-testid="server-option" data-key={o.key}>
              {o.value}
            </dd>
          </Fragment>
        ))}
      </dl>
      {n.state !== 'failed' && logs}
      {found && (
        <RuntimePanel
          user={p.user}
          server={p.server}
          running={n.state === 'running'}
          filter={parseExecutionFilter(p.search)}
          onFilter={(f) => navigate(serverPagePath(p.user, p.server) + executionFilterSearch(f))}
        />
      )}
      <ServerHistory user={p.user} server={p.server} state={n.state} profiles={profiles.data} />
    </main>
  );
};
