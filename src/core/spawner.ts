/** The spawner contract (DESIGN.md idea 2), after JupyterHub's: start, poll, stop, adopt. */

export interface RuntimeSpec {
  user: string;
  server: string;
  profile: string;
  /** Path prefix the runtime must serve under, e.g. `/user/alice/` or `/user/alice/lab/`. */
  baseUrl: string;
  userOptions: Record<string, unknown>;
}

/** Versioned, JSON-serialisable; kept in the store so a restarted hub can poll and stop it. */
export interface SpawnerHandle {
  v: 1;
  kind: string;
  [key: string]: unknown;
}

export interface Launched {
  handle: SpawnerHandle;
  /** Origin the hub reaches the runtime at, e.g. http://127.0.0.1:41234 */
  target: string;
  /** Secret the proxy adds upstream (`Authorization: token …`). */
  token: string;
  /** Path (under baseUrl) answering 2xx once the runtime is ready. */
  readinessPath: string;
  /** Seconds to wait for readiness, and the config key that sets it (named in the timeout message). */
  startTimeoutSeconds: number;
  startTimeoutKey: string;
}

export type PollResult =
  | { status: 'running' }
  | { status: 'exited'; exitCode: number | null; signal: string | null; adopted: boolean };

export interface Spawner {
  readonly kind: string;
  /** Launches the runtime and returns as soon as it exists; readiness is awaited by the caller. */
  start(spec: RuntimeSpec, signal: AbortSignal): Promise<Launched>;
  poll(handle: SpawnerHandle): Promise<PollResult>;
  /** Safe to call twice and on a runtime already gone. graceful: SIGTERM, then SIGKILL after the grace period. */
  stop(handle: SpawnerHandle, options: { graceful: boolean }): Promise<void>;
  /** The last lines the runtime printed, for a failed runtime's explanation. */
  logTail(handle: SpawnerHandle, lines: number): Promise<string>;
  /** Deletes the runtime's workspace (files). Only called for `remove: true`. */
  removeWorkspace(spec: Pick<RuntimeSpec, 'user' | 'server'>): Promise<void>;
  /** The root of the runtime's process tree on this machine, for the embedded sampler; null when remote. */
  rootPid(handle: SpawnerHandle): number | null;
  /** Called once a handle is known to the reconciler, so exits are reported promptly. */
  onExit(listener: (handle: SpawnerHandle) => void): void;
}
