import { api } from '../api.js';
import { ago, causeWords, reasonWords } from '../format.js';
import { usePoll } from '../poll.js';
import { profileLabel } from '../profiles.js';
import type { HistoryEvent, Profile } from '../types.js';

const HISTORY_POLL_MS = 5000;
const ACTIONS: Record<HistoryEvent['action'], string> = { start: 'Started', stop: 'Stopped', delete: 'Deleted' };

/** Each start and stop of a server, newest first, with why and who or what caused it. */
export const ServerHistory = (p: { user: string; server: string; state: string; profiles?: Profile[] | undefined }) => {
  // A new state (started, stopped) is a new event to show at once.
  const history = usePoll(() => api.history(p.user, p.server), HISTORY_POLL_MS, `history:${p.user}/${p.server}:${p.state}`);
  return (
    <section>
      <h2>History</h2>
      {history.error && <p class="error">{history.error.message}</p>}
      {history.data?.length === 0 && <p class="muted">Never started.</p>}
      {history.data && history.data.length > 0 && (
        <table class="servers" data-testid="server-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>Profile</th>
              <th>Why</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {history.data.map((e) => (
              <tr key={`${e.time}-${e.action}`} data-testid="history-event" data-action={e.action} data-reason={e.reason ?? ''} data-by={e.by ?? ''}>
                <td title={e.time}>{ago(e.time)}</td>
                <td>{ACTIONS[e.action]}</td>
                <td data-testid="history-profile" title={e.profile ? `profile ${e.profile}` : undefined}>
                  {e.profile ? profileLabel(e.profile, p.profiles) : '—'}
                </td>
                <td>
                  {e.action === 'stop' ? reasonWords(e.reason) || '—' : ''}
                  {e.message && <div class="muted small">{e.message}</div>}
                </td>
                <td>{causeWords(e.by)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
