import { failureText } from '../adminView.js';
import type { ServerModel } from '../types.js';

/**
 * Why a server failed, for the person reading: what happened and, for an end user, whom to ask; for an admin, the
 * setting to change. The runtime's last output is folded until asked for; `onDismiss` adds a button that hides it.
 */
export const FailureDetails = (p: { server: ServerModel; admin?: boolean; onDismiss?: () => void }) => {
  const { exit_status: exit, log_tail: log, profile } = p.server.nbhub;
  const { what, adminHint } = failureText(p.server.nbhub.message, p.admin === true);
  return (
    <div class="failure" data-testid="server-failure">
      <p data-testid="server-message">{what}</p>
      {exit !== null && <p data-testid="server-exit-status">Exit status: {exit}</p>}
      {p.admin ? (
        <p class="small" data-testid="server-failure-hint">
          {adminHint ?? (
            <>
              Its settings are under <code>profiles.{profile || '…'}</code> in the hub's configuration.
            </>
          )}
        </p>
      ) : (
        <p class="small muted" data-testid="server-failure-ask">
          If starting it again fails the same way, ask your hub's administrators, with the server's name and this message.
        </p>
      )}
      {log ? (
        <details>
          <summary>Last output</summary>
          <pre data-testid="server-log">{log}</pre>
        </details>
      ) : (
        <p class="muted">No output was captured.</p>
      )}
      {p.onDismiss && (
        <button type="button" data-testid="server-failure-dismiss" onClick={p.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
};
