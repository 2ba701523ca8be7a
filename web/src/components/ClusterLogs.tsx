import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { usePoll } from '../poll.js';

const LOGS_POLL_MS = 5000;

/** The end of each of a cluster's processes' output (master, workers), one process at a time; kept after a stop. */
export const ClusterLogs = (p: { cluster: string }) => {
  const logs = usePoll(() => api.clusterLogs(p.cluster), LOGS_POLL_MS, `cluster-logs:${p.cluster}`);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const list = logs.data ?? [];
  const shown = list.find((l) => l.process === chosen) ?? list[0];
  return (
    <section data-testid="cluster-logs">
      <h2>Output</h2>
      {logs.error && (
        <p class="error" role="alert">
          Could not read the output: {logs.error.message}
        </p>
      )}
      {logs.data && list.length === 0 && <p class="muted">No process has written anything yet.</p>}
      {shown && (
        <>
          <label>
            Process{' '}
            <select data-testid="cluster-logs-process" value={shown.process} onChange={(e) => setChosen(e.currentTarget.value)}>
              {list.map((l) => (
                <option key={l.process} value={l.process}>
                  {l.process}
                </option>
              ))}
            </select>
          </label>
          <pre data-testid="cluster-logs-text">{shown.text || '(nothing yet)'}</pre>
        </>
      )}
    </section>
  );
};
