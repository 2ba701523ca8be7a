import { ago } from '../format.js';
import { cpuSeconds } from '../executionFormat.js';
import { kernelLabel } from '../labels.js';
import type { ExecutionSummary } from '../types.js';
import { bytes } from '../units.js';
import { executionTotals } from '../usageTotals.js';

/** Per notebook: runs, errors, CPU and peak memory; per kernel: its CPU inside executions and outside them (idle cost). */
export const ExecutionSummaryTables = (p: { summary: ExecutionSummary; onNotebook: (notebook: string) => void }) => {
  const t = executionTotals(p.summary);
  return (
    <div class="summary-tables">
      <table class="servers" data-testid="notebook-summary">
        <thead>
          <tr>
            <th>Notebook</th>
            <th class="num">Runs</th>
            <th class="num">Errors</th>
            <th class="num">CPU</th>
            <th class="num">Peak memory</th>
            <th>Last run</th>
          </tr>
        </thead>
        <tbody>
          {p.summary.notebooks.map((n) => (
            <tr key={n.notebook ?? ''} data-testid="notebook-summary-row" data-notebook={n.notebook ?? ''}>
              <td>
                {n.notebook ? (
                  <button type="button" class="link" onClick={() => p.onNotebook(n.notebook as string)}>
                    {n.notebook}
                  </button>
                ) : (
                  <span class="muted">no single notebook</span>
                )}
              </td>
              <td class="num">{n.runs}</td>
              <td class="num">{n.errors}</td>
              <td class="num" data-testid="notebook-summary-cpu">
                {cpuSeconds(n.cpu_seconds)}
              </td>
              <td class="num">{bytes(n.peak_memory)}</td>
              <td>{ago(n.last_run)}</td>
            </tr>
          ))}
        </tbody>
        {p.summary.notebooks.length > 1 && (
          <tfoot>
            <tr data-testid="notebook-summary-total">
              <th>All</th>
              <td class="num">{t.runs}</td>
              <td class="num">{t.errors}</td>
              <td class="num" data-testid="notebook-summary-total-cpu">
                {cpuSeconds(t.cpuSeconds)}
              </td>
              <td />
              <td />
            </tr>
          </tfoot>
        )}
      </table>
      {p.summary.kernels.length > 0 && (
        <table class="servers" data-testid="kernel-cost">
          <thead>
            <tr>
              <th>Kernel</th>
              <th class="num">CPU in all</th>
              <th class="num">in executions</th>
              <th class="num" title="What the kernel used while none of its cells ran">idle</th>
            </tr>
          </thead>
          <tbody>
            {p.summary.kernels.map((k) => (
              <tr key={k.kernel_id} data-testid="kernel-cost-row" data-kernel={k.kernel_id}>
                <td title={k.kernel_id}>{kernelLabel(k.kernel_id, k.notebooks)}</td>
                <td class="num">{cpuSeconds(k.cpu_seconds)}</td>
                <td class="num">{cpuSeconds(k.execution_cpu_seconds)}</td>
                <td class="num" data-testid="kernel-idle-cpu">
                  {cpuSeconds(k.idle_cpu_seconds)}
                </td>
              </tr>
            ))}
          </tbody>
          {p.summary.kernels.length > 1 && (
            <tfoot>
              <tr data-testid="kernel-cost-total">
                <th>All</th>
                <td class="num">{cpuSeconds(t.kernelCpuSeconds)}</td>
                <td class="num">{cpuSeconds(t.executionCpuSeconds)}</td>
                <td class="num">{cpuSeconds(t.idleCpuSeconds)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      )}
    </div>
  );
};
