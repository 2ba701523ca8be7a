import type { KernelControlSink } from './kernel-tap.js';
import type { Page } from './store.js';

/**
 * Cell executions (DESIGN.md idea 6), as the recorder keeps them. `running` until the kernel answers;
 * `lost` when the hub stopped watching before the end was seen (a hub restart), so neither the end nor
 * the cost is known.
 */
export const EXECUTION_STATUSES = ['running', 'ok', 'error', 'aborted', 'interrupted', 'died', 'lost'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/**
 * How the notebook was told: `session` (the only notebook on the kernel), `cell` (the cell id was found in
 * exactly one of the kernel's notebooks), `ambiguous` (several notebooks and nothing told them apart:
 * `candidates` lists them), `none` (no session names a notebook: a console, or a bare kernel).
 */
export type Attribution = 'pending' | 'session' | 'cell' | 'ambiguous' | 'none';

export interface ExecutionRecord {
  id: string;
  user: string;
  server: string;
  kernelId: string;
  notebook: string | null;
  attribution: Attribution;
  /** Notebooks it may belong to when ambiguous; [] otherwise. */
  candidates: string[];
  cellId: string | null;
  /** header.msg_id of the execute_request, and header.session of the client that sent it. */
  msgId: string;
  clientSession: string;
  executionCount: number | null;
  /** The code up to the configured size; null when code capture is off. */
  code: string | null;
  /** sha256 (hex) of the whole code, always kept. */
  codeSha256: string;
  codeBytes: number;
  /** When the client asked, and when the kernel took it up (after the ones queued before it). */
  requested: number;
  started: number;
  ended: number | null;
  status: ExecutionStatus;
  /** The exception's name, for status error (and interrupted: KeyboardInterrupt). */
  errorName: string | null;
  /** Kernel CPU-seconds and peak memory (bytes) over [started, ended]; null while running or when unknown. */
  cpuSeconds: number | null;
  peakMemory: number | null;
  /**
   * Executor CPU-seconds Spark reports for the jobs the cell started on the cluster its runtime is attached
   * to (job group `nbhub-<msgId>`); null when the runtime has no cluster or no job ran.
   */
  sparkCpuSeconds: number | null;
}

export interface ExecutionQuery {
  user?: string | undefined;
  server?: string | undefined;
  kernelId?: string | undefined;
  notebook?: string | undefined;
  status?: ExecutionStatus | undefined;
  /** Executions whose run overlaps [since, until] (ms): started ≤ until, and ended ≥ since or not ended. */
  since?: number | undefined;
  until?: number | undefined;
  offset: number;
  limit: number;
}

export type SummaryFilter = Omit<ExecutionQuery, 'offset' | 'limit' | 'status'> & { wholly?: boolean; except?: readonly string[] };

/** Per notebook (null: executions no notebook could be told for), over the query's filter. */
export interface NotebookSummary {
  user: string;
  server: string;
  notebook: string | null;
  runs: number;
  errors: number;
  cpuSeconds: number;
  peakMemory: number | null;
  lastRun: number | null;
}

/** Executions' CPU per kernel, to tell a kernel's idle cost (consumption outside any execution). */
export interface KernelExecutionCpu {
  user: string;
  server: string;
  kernelId: string;
  runs: number;
  cpuSeconds: number;
}

export interface ExecutionRepo {
  /** Inserts or replaces whole records, in one transaction (the recorder writes behind, in batches). */
  put(records: readonly ExecutionRecord[]): Promise<void>;
  get(id: string): Promise<ExecutionRecord | undefined>;
  /** Newest first (by start). */
  list(q: ExecutionQuery): Promise<Page<ExecutionRecord>>;
  /**
   * Sums per notebook and per kernel of the executions the filter names. `wholly`: only those that ran wholly
   * inside [since, until] (ended), the ones whose CPU counts whole; `except`: leaving these ids out.
   */
  summarize(q: SummaryFilter): Promise<{ notebooks: NotebookSummary[]; kernels: KernelExecutionCpu[] }>;
  /**
   * The executions overlapping [since, until] that did not run wholly inside it: those straddling an edge, and
   * those not ended (running, or lost). Few (about two per kernel, and the running ones): read one by one.
   */
  edges(q: SummaryFilter & { since: number; until: number }): Promise<ExecutionRecord[]>;
  /**
   * The highest memory among a kernel's raw samples within [from, to] (ms), or null when none was taken then:
   * a peak the sampler saw between an execution's two readings. (A point lookup on the samples' key, where
   * UsageRepo.query also gathers each series' neighbours for rates.)
   */
  samplePeak(k: { user: string; server: string; kernelId: string }, from: number, to: number): Promise<number | null>;
  /** Marks every execution still running as `lost` (the hub restarted and cannot see their end); returns how many. */
  loseRunning(): Promise<number>;
  /** Deletes executions that started before `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
}

/** What the API asks of the hub's recorder: where an interrupt for a running execution should go. */
export interface ExecutionTracker extends KernelControlSink {
  /** Its kernel, when it is the one running there now; `queued` when it waits behind another; undefined when not followed. */
  interruptTarget(id: string): { user: string; server: string; kernelId: string } | 'queued' | undefined;
  /**
   * The executions of these runtimes whose cost the store does not hold yet (issue 17): the one each kernel
   * runs now, its cpuSeconds what it used so far (its kernel read now, less its start reading; null without
   * them), and finished ones not yet written, with their cost once it is in (waiting a bounded time).
   */
  inProgress(f: { user?: string | undefined; server?: string | undefined }): Promise<ExecutionRecord[]>;
}

/** The cluster's share of an execution (issue 19): what the Spark jobs of a cell cost on the cluster. */
export interface SparkCellCost {
  /**
   * Executor CPU-seconds of the jobs of group `nbhub-<msgId>` on the cluster the runtime is attached to,
   * once they are final (waiting a bounded time); null when the runtime has no cluster or no such job ran.
   * Never rejects; ends early (null) when `signal` aborts.
   */
  cpuSeconds(cell: { user: string; server: string; msgId: string }, signal: AbortSignal): Promise<number | null>;
}
