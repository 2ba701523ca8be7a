import { useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { kernelLabel } from '../labels.js';
import { LIVE_POLL_MS, usePoll } from '../poll.js';
import { processTree } from '../processTree.js';
import type { KernelModel, ProcessModel, ProcessSignal } from '../types.js';
import { bytes, cores } from '../units.js';
import { ConfirmButton } from './ConfirmButton.js';

const ProcessRow = (p: {
  user: string;
  server: string;
  process: ProcessModel;
  depth: number;
  root: boolean;
  notebooks: Map<string, string[]>;
  onChanged: () => void;
}) => {
  const action = useAction();
  const [sent, setSent] = useState<ProcessSignal | undefined>(undefined);
  const pr = p.process;
  const send = (signal: ProcessSignal) =>
    void action.run(() => api.signalProcess(p.user, p.server, pr.pid, signal)).then((ok) => {
      if (ok) setSent(signal);
      p.onChanged();
    });
  const owner = pr.notebook ?? (pr.kernel_id ? kernelLabel(pr.kernel_id, p.notebooks.get(pr.kernel_id)) : undefined);
  // The server's own process: signalling it ends the whole server, so ask first.
  const warn = p.root ? ' This is the server itself: the server stops.' : '';
  return (
    <tr data-testid="process-row" data-pid={pr.pid} data-kernel={pr.kernel_id ?? ''}>
      <td class="num">{pr.pid}</td>
      <td class="command" title={pr.command} style={{ paddingLeft: `${0.6 + p.depth}rem` }}>
        {pr.command ? <code data-testid="process-command">{pr.command}</code> : <span class="muted">(no command line)</span>}
      </td>
      <td data-testid="process-kernel">{owner ?? <span class="muted">server</span>}</td>
      <td class="num" data-testid="process-cpu">
        {cores(pr.cpu)}
      </td>
      <td class="num" data-testid="process-memory">
        {bytes(pr.memory)}
      </td>
      <td>
        <div class="actions process-actions">
          {p.root ? (
            <ConfirmButton label="Stop" question={`Send SIGTERM?${warn}`} testid="process-stop" disabled={action.busy} onConfirm={() => send('SIGTERM')} />
          ) : (
            <button type="button" class="danger" data-testid="process-stop" title="SIGTERM" disabled={action.busy} onClick={() => send('SIGTERM')}>
              Stop
            </button>
          )}
          <ConfirmButton label="Kill" question={`Send SIGKILL?${warn}`} testid="process-kill" disabled={action.busy} onConfirm={() => send('SIGKILL')} />
          {sent && (
            <span class="muted small" data-testid="process-signalled">
              {sent} sent
            </span>
          )}
          {action.error && (
            <span class="error" role="alert" data-testid="process-error">
              {action.error}
            </span>
          )}
        </div>
      </td>
    </tr>
  );
};

/** The processes of a running server with their CPU and memory now, as a tree, with stop (SIGTERM) and kill (SIGKILL). */
export const ProcessTable = (p: { user: string; server: string; kernels: KernelModel[] | undefined }) => {
  const list = usePoll(() => api.processes(p.user, p.server), LIVE_POLL_MS, `processes:${p.user}/${p.server}`, { whileVisible: true });
  const notebooks = new Map((p.kernels ?? []).map((k) => [k.id, k.notebooks]));
  const rows = list.data ? processTree(list.data) : undefined;
  return (
    <section>
      <h2>Processes{rows ? ` (${rows.length})` : ''}</h2>
      {list.error && (
        <p class="error" role="alert" data-testid="processes-error">
          Could not list processes: {list.error.message}
        </p>
      )}
      {!rows && !list.error && <p class="muted">Loading…</p>}
      {rows && (
        <table class="servers" data-testid="process-table">
          <thead>
            <tr>
              <th class="num">PID</th>
              <th>Command</th>
              <th>Kernel / notebook</th>
              <th class="num">CPU now</th>
              <th class="num">Memory now</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <ProcessRow
                key={r.process.pid}
                user={p.user}
                server={p.server}
                process={r.process}
                depth={r.depth}
                root={r.root}
                notebooks={notebooks}
                onChanged={list.refresh}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
