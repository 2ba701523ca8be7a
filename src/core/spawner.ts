/** The spawner contract (DESIGN.md idea 2), after JupyterHub's: start, poll, stop, adopt. */

export interface RuntimeSpec {
  user: string;
  server: string;
  profile: string;
  /** Path prefix the runtime must serve under, e.g. `/user/alice/` or `/user/alice/lab/`. */
  baseUrl: string;
  userOptions: Record<string, unknown>;
  /** What the hub adds to the runtime's environment (RuntimeEnvironment); the spawner's own markers still win. */
  environment?: RuntimeEnv | undefined;
}

/** Variables for a runtime's processes, from outside the spawner (a Spark cluster the runtime is attached to). */
export interface RuntimeEnv {
  /** Set as given. */
  set: Record<string, string>;
  /** Folders put before what the variable holds already (PYTHONPATH, JUPYTER_PATH), ':'-joined. */
  prepend: Record<string, string[]>;
}

/**
 * Builds the environment the hub adds to a runtime at each start, from its user options (issue 19: the
 * cluster of `spark_cluster`). Undefined: nothing to add. Throws (a start failure naming why) when what the
 * options ask for cannot be had now.
 */
export interface RuntimeEnvironment {
  forRuntime(r: Pick<RuntimeSpec, 'user' | 'server' | 'profile' | 'userOptions'>): Promise<RuntimeEnv | undefined>;
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
  | {
      status: 'exited';
      exitCode: number | null;
      signal: string | null;
      adopted: boolean;
      /** Why the platform ended it, when the runtime did not (Kubernetes: a pod evicted or lost with its node). */
      reason?: string | null;
    };

/** Who accepts connections at a runtime's target right now. */
export type Listener = 'runtime' | 'other' | 'none';

export interface Spawner {
  readonly kind: string;
  /** Launches the runtime and returns as soon as it exists; readiness is awaited by the caller. */
  start(spec: RuntimeSpec, signal: AbortSignal): Promise<Launched>;
  poll(handle: SpawnerHandle): Promise<PollResult>;
  /** Safe to call twice and on a runtime already gone. graceful: SIGTERM, then SIGKILL after the grace period. */
  stop(handle: SpawnerHandle, options: { graceful: boolean }): Promise<void>;
  /** The last lines the runtime printed, for a failed runtime's explanation. */
  logTail(handle: SpawnerHandle, lines: number): Promise<string>;
  /**
   * Deletes the runtime's workspace (files). Only called for `remove: true`; `why` is 'user' when its user is
   * being deleted (a spawner may keep it then, as config says: kubernetes.delete_claims_with_user).
   */
  removeWorkspace(spec: Pick<RuntimeSpec, 'user' | 'server'>, why?: 'server' | 'user'): Promise<void>;
  /** The root of the runtime's process tree on this machine, for the embedded sampler; null when remote. */
  rootPid(handle: SpawnerHandle): number | null;
  /** Called once a handle is known to the reconciler, so exits are reported promptly. */
  onExit(listener: (handle: SpawnerHandle) => void): void;
  /**
   * Optional, for spawners whose runtimes share an address space with other processes (local ports): who
   * listens at the runtime's target, its own processes, another process (which took the port between the
   * choice and the runtime's bind), or nobody yet. The hub sends its readiness probe (with the runtime's
   * token) only once this says 'runtime', so another process's answer is never taken for the runtime's.
   * Absent: whatever answers at the target is the runtime (a pod's own IP).
   */
  listener?(handle: SpawnerHandle): Promise<Listener>;
  /**
   * Optional: asked about a runtime that exited before it was ready. Did it lose a race for a resource that
   * a new start would not meet again (its port, taken by another process meanwhile)? A short account of
   * what it lost, from facts (the port is held by someone else now, the runtime said the address is in
   * use), or null: the runtime failed on its own. Absent: never.
   */
  lostRace?(handle: SpawnerHandle): Promise<string | null>;
  /**
   * Optional, for spawners whose runtimes share an address space with other processes: the origin that
   * serves `port` of this runtime (`…/proxy/{port}/`), or null unless the runtime's own processes (its
   * tree, and its named apps) listen there. Absent: that port of the runtime's target host (a pod's IP is
   * its own). Called often (every request of an app, cached a few seconds by the caller).
   */
  portTarget?(handle: SpawnerHandle, port: number): Promise<string | null>;
}

/** `env` with `add` applied (its folders before what `env` holds); every spawner spells it the same way. */
export const withRuntimeEnv = (env: Record<string, string | undefined>, add: RuntimeEnv | undefined): Record<string, string | undefined> => {
  if (!add) return env;
  const out = { ...env, ...add.set };
  for (const [k, dirs] of Object.entries(add.prepend)) out[k] = [...dirs, out[k]].filter((d) => d !== undefined && d !== '').join(':');
  return out;
};
