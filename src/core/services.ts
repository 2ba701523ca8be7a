/**
 * Services (issue 18), as JupyterHub has them: web apps at `/services/{name}/` behind the hub's login, either
 * external (a URL) or managed (a command the hub keeps running), each with an API token of its own.
 */

/** What the API and the proxy know of one service now. */
export interface ServiceView {
  name: string;
  admin: boolean;
  /** Origin (and path) the hub proxies to; '' for a service with no web server (token-only). */
  url: string;
  /** A command the hub runs (managed), or the empty list (external or token-only). */
  command: readonly string[];
  info: Readonly<Record<string, unknown>>;
  display: boolean;
  /** For a managed service: its process while it runs, else null (not started yet, or waiting to be restarted). */
  pid: number | null;
}

export interface ServiceDirectory {
  list(): ServiceView[];
  get(name: string): ServiceView | undefined;
}

/** A service's token, as the identity resolver matches it (never logged, never in a message). */
export interface ServiceCredential {
  name: string;
  admin: boolean;
  token: string;
}

/** A process the hub started, named by pid and kernel start time (a reused pid is never taken for it). */
export interface ProcessRef {
  pid: number;
  startTime: number;
}

export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

export interface RunningProcess extends ProcessRef {
  /** Settles when the process has exited. */
  exited: Promise<ProcessExit>;
}

export interface RunRequest {
  command: readonly string[];
  /** Added to the hub's environment, from which the hub's own NBHUB_* settings are removed. */
  env: Readonly<Record<string, string>>;
  /** Output (stdout and stderr) is appended here. */
  logFile: string;
  /** Where the process's pid and start time are kept while it runs, so a hub killed with SIGKILL finds it at its next start. */
  pidFile: string;
}

/**
 * Runs long-lived helper processes of the hub's own (managed services): each in a process group of its own,
 * which outlives a hub killed with SIGKILL and is then found again through its pid file.
 */
export interface ProcessRunner {
  run(request: RunRequest): Promise<RunningProcess>;
  /** SIGTERM to its process groups, SIGKILL after `graceMs`; removes the pid file. Safe to call twice. */
  stop(process: ProcessRef, pidFile: string, graceMs: number): Promise<void>;
  /** Stops what a pid file names if that process still runs (left by a hub that died); true if it did. */
  stopLeftover(pidFile: string, graceMs: number): Promise<boolean>;
  /** A free TCP port on 127.0.0.1. */
  freePort(): Promise<number>;
  /** Whether that process (pid and start time) still runs: for what a hub finds again after a restart. */
  alive(process: ProcessRef): boolean;
}
