import { useAction } from '../action.js';
import { api } from '../api.js';
import { ago } from '../format.js';
import { shortId } from '../labels.js';
import type { KernelModel } from '../types.js';
import { bytes, cores } from '../units.js';
import { ConfirmButton } from './ConfirmButton.js';

const KernelRow = (p: { user: string; server: string; kernel: KernelModel; onChanged: () => void }) => {
  const action = useAction();
  const k = p.kernel;
  const act = (fn: () => Promise<unknown>) => void action.run(fn).then(p.onChanged);
  return (
    <tr data-testid="kernel-row" data-kernel={k.id}>
      <td>
        {k.notebooks.length > 0 ? (
          k.notebooks.map((n) => (
            <div key={n} data-testid="kernel-notebook">
              {n}
            </div>
          ))
        ) : (
          <span class="muted">no notebook</span>
        )}
        <div class="muted small" title={k.id}>
          <code>{shortId(k.id)}</code> {k.name}
        </div>
      </td>
      <td>
        <span class={`badge kernel-${k.execution_state ?? 'unknown'}`} data-testid="kernel-state">
          {k.execution_state ?? 'unknown'}
        </span>
      </td>
      <td>{k.connections}</td>
      <td>{ago(k.last_activity)}</td>
      <td class="num" data-testid="kernel-cpu">
        {cores(k.cpu)}
      </td>
      <td class="num" data-testid="kernel-memory">
        {bytes(k.memory)}
      </td>
      <td>
        <div class="actions">
          <button
            type="button"
            data-testid="kernel-interrupt"
            disabled={action.busy}
            onClick={() => act(() => api.interruptKernel(p.user, p.server, k.id))}
          >
            Interrupt
          </button>
          <ConfirmButton
            label="Restart"
            question="Restart this kernel? Its variables are lost."
            testid="kernel-restart"
            disabled={action.busy}
            onConfirm={() => act(() => api.restartKernel(p.user, p.server, k.id))}
          />
          <ConfirmButton
            label="Shut down"
            question="Shut down this kernel?"
            testid="kernel-shutdown"
            disabled={action.busy}
            onConfirm={() => act(() => api.shutdownKernel(p.user, p.server, k.id))}
          />
          {action.error && (
            <span class="error" role="alert" data-testid="kernel-error">
              {action.error}
            </span>
          )}
        </div>
      </td>
    </tr>
  );
};

/** A running server's kernels, as its own API reports them, with what they use now. */
export const KernelTable = (p: { user: string; server: string; kernels: KernelModel[] | undefined; error: Error | undefined; onChanged: () => void }) => (
  <section>
    <h2>Kernels{p.kernels ? ` (${p.kernels.length})` : ''}</h2>
    {p.error && (
      <p class="error" role="alert" data-testid="kernels-error">
        Could not list kernels: {p.error.message}
      </p>
    )}
    {!p.kernels && !p.error && <p class="muted">Loading…</p>}
    {p.kernels?.length === 0 && <p class="muted" data-testid="kernels-empty">No kernels are running.</p>}
    {p.kernels && p.kernels.length > 0 && (
      <table class="servers" data-testid="kernel-table">
        <thead>
          <tr>
            <th>Notebook / kernel</th>
            <th>State</th>
            <th>Connections</th>
            <th>Last activity</th>
            <th class="num">CPU now</th>
            <th class="num">Memory now</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {p.kernels.map((k) => (
            <KernelRow key={k.id} user={p.user} server={p.server} kernel={k} onChanged={p.onChanged} />
          ))}
        </tbody>
      </table>
    )}
  </section>
);
