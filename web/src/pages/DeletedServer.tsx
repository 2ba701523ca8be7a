import { api, ApiError } from '../api.js';
import { ExecutionsPanel } from '../components/ExecutionsPanel.js';
import { ServerHistory } from '../components/ServerHistory.js';
import { executionFilterSearch, parseExecutionFilter } from '../executionFilter.js';
import { ago, causeWords } from '../format.js';
import { lifeRange } from '../lifeUsage.js';
import { usePoll } from '../poll.js';
import { profileLabel } from '../profiles.js';
import { navigate, serverPagePath } from '../router.js';
import type { HistoryEvent } from '../types.js';
import { bytes, cpuTime } from '../units.js';

/** What a deleted server used over its listed life (the hub keeps its usage after the deletion). */
const LifeUsage = (p: { user: string; server: string; events: HistoryEvent[] }) => {
  const range = lifeRange(p.events);
  const usage = usePoll(
    () => (range ? api.usage({ user: p.user, server: p.server, group_by: 'server', ...range }) : Promise.resolve(undefined)),
    60_000,
    `life:${p.user}/${p.server}:${range?.from ?? ''}:${range?.to ?? ''}`,
  );
  const total = usage.data?.totals.find((t) => t.labels.user === p.user && t.labels.server === p.server);
  return (
    <section data-testid="deleted-usage">
      <h2>Usage</h2>
      {usage.error && <p class="error">Could not load usage: {usage.error.message}</p>}
      {range && usage.data && (
        <dl class="facts">
          <dt>CPU</dt>
          <dd data-testid="deleted-usage-cpu">{cpuTime(total?.cpu_seconds ?? 0)}</dd>
          <dt>Peak memory</dt>
          <dd data-testid="deleted-usage-memory">{bytes(total?.peak_memory ?? 0)}</dd>
          <dt>Over</dt>
          <dd class="muted small">
            {new Date(range.from * 1000).toLocaleString()} – {new Date(range.to * 1000).toLocaleString()}
          </dd>
        </dl>
      )}
    </section>
  );
};

/**
 * A server that is not (or no longer) there: deleted, its page keeps what the hub keeps of it (history,
 * executions, usage), marked deleted; never there, it says so.
 */
export const DeletedServer = (p: { user: string; server: string; search: string }) => {
  const history = usePoll(() => api.history(p.user, p.server), 30_000, `deleted:${p.user}/${p.server}`);
  const profiles = usePoll(api.profiles, 60_000, 'profiles');
  if (history.error && !history.data) {
    const missing = history.error instanceof ApiError && history.error.status === 404;
    return (
      <main class="error" data-testid="server-missing">
        {missing ? `${p.user} has no server named ${p.server}, and the hub keeps no history of one.` : history.error.message}
      </main>
    );
  }
  if (!history.data) return <main class="muted">Loading…</main>;
  const deleted = history.data.find((e) => e.action === 'delete');
  const ran = history.data.find((e) => e.profile)?.profile;
  const filter = parseExecutionFilter(p.search);
  return (
    <main data-testid="server-page" data-deleted="true">
      <h1>
        {p.user} / {p.server} <span class="badge badge-deleted" data-testid="server-deleted-badge">deleted</span>
      </h1>
      <p class="muted" data-testid="server-deleted">
        {deleted ? (
          <>
            Deleted <span title={deleted.time}>{ago(deleted.time)}</span>
            {deleted.by ? ` by ${causeWords(deleted.by)}` : ''}, with its files and logs. What it did is kept: its starts and stops, its executions and its usage.
          </>
        ) : (
          'This server is no longer there. What it did is kept: its starts and stops, its executions and its usage.'
        )}
      </p>
      {ran && (
        <dl class="facts">
          <dt>Profile</dt>
          <dd data-testid="server-profile" title={`profile ${ran}`}>
            {profileLabel(ran, profiles.data)}
          </dd>
        </dl>
      )}
      <LifeUsage user={p.user} server={p.server} events={history.data} />
      <ExecutionsPanel user={p.user} server={p.server} filter={filter} charts={false} onFilter={(f) => navigate(serverPagePath(p.user, p.server) + executionFilterSearch(f))} />
      <ServerHistory user={p.user} server={p.server} state="deleted" profiles={profiles.data} />
    </main>
  );
};
