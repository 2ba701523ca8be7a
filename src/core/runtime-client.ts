import { HubError } from './errors.js';
import type { RunningRuntime } from './usage.js';

/** Where a runtime's own REST API is: its origin, base path and token. */
export type RuntimeEndpoint = Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>;

/** A kernel as the runtime lists it (jupyter_server's Kernel model). Times are Unix ms. */
export interface RuntimeKernel {
  id: string;
  /** The kernel spec's name (python3), null when the runtime does not say. */
  name: string | null;
  /** idle, busy, starting, dead…; null when the runtime does not say. */
  executionState: string | null;
  /** The runtime's record of the kernel's last message. */
  lastActivity: number | null;
  /** Open WebSocket connections to the kernel. */
  connections: number | null;
}

/** A session: a document (notebook, console, file) bound to a kernel. */
export interface RuntimeSession {
  id: string;
  /** jupyter_server's `path` (or the older `notebook.path`): a notebook's file, a console's own path. */
  path: string;
  name: string | null;
  /** notebook, console, file; null from runtimes that predate session types. */
  type: string | null;
  kernel: RuntimeKernel | null;
}

/** The runtime's own view of itself (api/status). Times are Unix ms. */
export interface RuntimeStatus {
  started: number | null;
  lastActivity: number | null;
  connections: number | null;
  kernels: number | null;
}

export type KernelAction = 'interrupt' | 'restart' | 'shutdown';
/** What a kernel action came to: done, or the runtime has no such kernel (gone already, or never was). */
export type KernelActionResult = 'done' | 'no-such-kernel';

/**
 * Labels by kernel id: every session on the kernel, each labelled by its path, sorted, each once. One rule for
 * usage, executions, metrics and the console: a notebook is its file's path; a console (or a file's kernel) is
 * something the user ran code in too, and keeps its own path.
 */
export type KernelLabels = Record<string, string[]>;

/** How a runtime failed to answer: not reached in time, answered with an error status, or answered garbage. */
export type RuntimeFailure = 'down' | 'status' | 'garbage';

/**
 * The runtime did not give a usable answer. The API maps it (a HubError UNAVAILABLE) to 503, as any runtime
 * that cannot be asked; callers that know better look at `failure` and `status` (404: no such API).
 */
export class RuntimeApiError extends HubError {
  constructor(
    readonly failure: RuntimeFailure,
    /** The HTTP status the runtime answered, or null when it did not answer. */
    readonly status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('UNAVAILABLE', message, options);
  }
}

/**
 * The one door to a runtime's own REST API (DESIGN.md idea 8). Looks (GETs) never count as the user's
 * activity in the runtime (no_track_activity); actions do. Every method rejects with RuntimeApiError when
 * the runtime does not give a usable answer.
 */
export interface RuntimeClient {
  sessions(rt: RuntimeEndpoint): Promise<RuntimeSession[]>;
  kernels(rt: RuntimeEndpoint): Promise<RuntimeKernel[]>;
  /** One kernel; null when the runtime has no such kernel. */
  kernel(rt: RuntimeEndpoint, id: string): Promise<RuntimeKernel | null>;
  act(rt: RuntimeEndpoint, id: string, action: KernelAction): Promise<KernelActionResult>;
  status(rt: RuntimeEndpoint): Promise<RuntimeStatus>;
  /** What attribution needs: the labels of every kernel's sessions (see KernelLabels). */
  labelsByKernel(rt: RuntimeEndpoint): Promise<KernelLabels>;
  /** The cell ids saved in a notebook (attribution on a kernel shared by several notebooks). */
  cellIds(rt: RuntimeEndpoint, notebook: string): Promise<ReadonlySet<string>>;
}
