import { isoOrNull } from '../core/clock.js';
import type { ExecutionRecord, NotebookSummary } from '../core/executions.js';
import type { KernelCost, SummaryTotals } from '../executions/summary.js';

/** An execution as the API shows it (issue 4's fields, then nbhub's detail: how the notebook was told, the code's hash). */
export const executionModel = (e: ExecutionRecord) => ({
  id: e.id,
  user: e.user,
  server: e.server,
  kernel_id: e.kernelId,
  notebook: e.notebook,
  cell_id: e.cellId,
  execution_count: e.executionCount,
  code: e.code,
  started: isoOrNull(e.started),
  ended: isoOrNull(e.ended),
  duration_seconds: e.ended === null ? null : Math.max(0, e.ended - e.started) / 1000,
  status: e.status,
  cpu_seconds: e.cpuSeconds,
  peak_memory: e.peakMemory,
  spark_cpu_seconds: e.sparkCpuSeconds,
  error_name: e.errorName,
  requested: isoOrNull(e.requested),
  attribution: e.attribution,
  notebook_candidates: e.candidates,
  code_sha256: e.codeSha256,
  code_bytes: e.codeBytes,
  code_truncated: e.code !== null && Buffer.byteLength(e.code, 'utf8') < e.codeBytes,
});

export const notebookSummaryModel = (n: NotebookSummary) => ({
  user: n.user,
  server: n.server,
  notebook: n.notebook,
  runs: n.runs,
  errors: n.errors,
  cpu_seconds: n.cpuSeconds,
  peak_memory: n.peakMemory,
  last_run: isoOrNull(n.lastRun),
});

export const kernelCostModel = (k: KernelCost) => ({
  user: k.user,
  server: k.server,
  kernel_id: k.kernelId,
  notebooks: k.notebooks,
  runs: k.runs,
  cpu_seconds: k.cpuSeconds,
  execution_cpu_seconds: k.executionCpuSeconds,
  idle_cpu_seconds: k.idleCpuSeconds,
});

/** The sums of the summary's rows: runs, errors and CPU of the notebooks; all, inside executions and idle of the kernels. */
export const summaryTotalsModel = (t: SummaryTotals) => ({
  runs: t.runs,
  errors: t.errors,
  cpu_seconds: t.cpuSeconds,
  kernel_cpu_seconds: t.kernelCpuSeconds,
  execution_cpu_seconds: t.executionCpuSeconds,
  idle_cpu_seconds: t.idleCpuSeconds,
});
