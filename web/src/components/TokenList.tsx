import { useAction } from '../action.js';
import { api } from '../api.js';
import { ago } from '../format.js';
import { usePoll } from '../poll.js';
import { ConfirmButton } from './ConfirmButton.js';

/** A user's API tokens (never their secrets), each revocable. */
export const TokenList = (p: { user: string }) => {
  const tokens = usePoll(() => api.tokens(p.user), 30_000, `tokens:${p.user}`);
  const revoke = useAction();
  return (
    <div data-testid="admin-tokens" data-user={p.user}>
      <h4>API tokens of {p.user}</h4>
      {tokens.error && (
        <p class="error" role="alert">
          Could not list tokens: {tokens.error.message}
        </p>
      )}
      {revoke.error && (
        <p class="error" role="alert">
          {revoke.error}
        </p>
      )}
      {!tokens.data && !tokens.error && <p class="muted">Loading…</p>}
      {tokens.data?.length === 0 && <p class="muted" data-testid="admin-tokens-none">No tokens.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table class="servers">
          <thead>
            <tr>
              <th>Token</th>
              <th>Note</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id} data-testid="admin-token" data-token={t.id}>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{t.note ?? ''}</td>
                <td>{ago(t.created)}</td>
                <td>{t.last_activity ? ago(t.last_activity) : 'never'}</td>
                <td>{t.expires_at ?? 'never'}</td>
                <td>
                  <ConfirmButton
                    label="Revoke"
                    question="Revoke this token?"
                    testid="admin-token-revoke"
                    disabled={revoke.busy}
                    onConfirm={() => void revoke.run(() => api.revokeToken(p.user, t.id)).then(tokens.refresh)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
};
