import type { ServerModel } from '../types.js';

/** Why a server failed: the hub's message, the exit status and the end of the runtime's output. */
export const FailureDetails = (p: { server: ServerModel }) => {
  const { message, exit_status: exit, log_tail: log } = p.server.nbhub;
  return (
    <div class="failure" data-testid="server-failure">
      <p data-testid="server-message">{message ?? 'The server stopped unexpectedly.'}</p>
      {exit !== null && <p data-testid="server-exit-status">Exit status: {exit}</p>}
      {log ? (
        <details open>
          <summary>Last output</summary>
          <pre data-testid="server-log">{log}</pre>
        </details>
      ) : (
        <p class="muted">No output was captured.</p>
      )}
    </div>
  );
};
