import { useAction } from '../action.js';
import { api } from '../api.js';
import { clock, codeLine, cpuSeconds, duration, elapsed } from '../executionFormat.js';
import type { ExecutionModel } from '../types.js';
import { bytes } from '../units.js';

const NotebookCell = (p: { e: ExecutionModel; onNotebook: (notebook: string) => void }) => {
  const { e } = p;
  if (e.notebook)
    return (
      <button type="button" class="link" data-testid="execution-notebook" title={`Only the executions of ${e.notebook}`} onClick={() => p.onNotebook(e.notebook as string)}>
        {e.notebook}
      </button>
    );
  if (e.attribution === 'ambiguous')
    return (
      <span class="muted" title="Several notebooks share this kernel and nothing told which one ran this cell">
        one of {e.notebook_candidates.join(', ')}
      </span>
    );
  return <span class="muted">{e.attribution === 'pending' ? '…' : '—'}</span>;
};

const ExecutionRow = (p: { e: ExecutionModel; onNotebook: (notebook: string) => void; onChanged: () => void }) => {
  const { e } = p;
  const action = useAction();
  return (
    <tr data-testid="execution-row" data-id={e.id} data-status={e.status}>
      <td title={e.started}>{clock(e.started)}</td>
      <td>
        <NotebookCell e={e} onNotebook={p.onNotebook} />
      </td>
      <td class="num">{e.execution_count === null ? '' : `[${e.execution_count}]`}</td>
      <td>
        {e.code === null ? (
          <span class="muted small">code not kept</span>
        ) : (
          <code title={e.code} data-testid="execution-code">
            {codeLine(e.code)}
          </code>
        )}
      </td>
      <td>
        <span class={`badge exec-${e.status}`} data-testid="execution-status">
          {e.status}
        </span>
        {e.error_name && e.status !== 'interrupted' && <span class="muted small"> {e.error_name}</span>}
      </td>
      <td class="num" data-testid="execution-duration">
        {e.status === 'running' ? `${duration(elapsed(e))}…` : duration(e.duration_seconds)}
      </td>
      <td class="num" data-testid="execution-cpu">
        {cpuSeconds(e.cpu_seconds)}
      </td>
      <td class="num" data-testid="execution-spark-cpu" title="Executor CPU of the cell's Spark jobs on the cluster">
        {e.spark_cpu_seconds === null ? '—' : cpuSeconds(e.spark_cpu_seconds)}
      </td>
      <td class="num" data-testid="execution-memory">
        {bytes(e.peak_memory)}
      </td>
      <td>
        {e.status === 'running' && (
          <div class="actions">
            <button type="button" data-testid="execution-interrupt" disabled={action.busy} onClick={() => void action.run(() => api.interruptExecution(e.id)).then(p.onChanged)}>
              Interrupt
            </button>
            {action.error && (
              <span class="error small" role="alert" data-testid="execution-error">
                {action.error}
              </span>
            )}
          </div>
        )}
      </td>
    </tr>
  );
};

/** Cell executions, newest first, with what each one cost. */
export const ExecutionTable = (p: { items: ExecutionModel[]; onNotebook: (notebook: string) => void; onChanged: () => void }) => (
  <table class="servers" data-testid="execution-table">
    <thead>
      <tr>
        <th>Started</th>
        <th>Notebook</th>
        <th class="num">Cell</th>
        <th>Code</th>
        <th>Status</th>
        <th class="num">Duration</th>
        <th class="num">CPU</th>
        <th class="num">Spark CPU</th>
        <th class="num">Peak memory</th>
        <th />
      </tr>
    </thead>
    <tbody>
      {p.items.map((e) => (
        <ExecutionRow key={e.id} e={e} onNotebook={p.onNotebook} onChanged={p.onChanged} />
      ))}
    </tbody>
  </table>
);
