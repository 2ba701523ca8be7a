import type { AppConfig } from '../config/app-schema.js';
import type { AppLaunched, AppRuntime, AppState, AppUpstream } from '../core/apps.js';
import type { SpawnerHandle } from '../core/spawner.js';

/** One app of one start of a runtime, as this hub knows it. */
export interface Entry {
  name: string;
  config: AppConfig;
  state: AppState;
  launched: AppLaunched | null;
  /** When the running process started (for the restart decision). */
  since: number;
  /** The start in progress, which concurrent ensures share. */
  starting: Promise<AppUpstream> | null;
  /** The stop in progress (a stopping process is neither adopted nor replaced before it is gone). */
  halting: Promise<void> | null;
  abort: AbortController | null;
  /** A restart waiting for its backoff. */
  timer: NodeJS.Timeout | null;
  message: string | null;
  restarts: number;
  quickDeaths: number;
  /** Stopped through stop() since its last start: only a visit starts it again (demand.ts). */
  stoppedOnPurpose: boolean;
}

/** The apps of one start of a runtime; a runtime started again (or stopped) is another, and its apps go. */
export interface Group {
  user: string;
  server: string;
  runtime: AppRuntime;
  entries: Map<string, Entry>;
}

export const groupKey = (user: string, server: string): string => `${user}\u0000${server}`;
export const sameHandle = (a: SpawnerHandle, b: SpawnerHandle): boolean => JSON.stringify(a) === JSON.stringify(b);

export const newEntry = (name: string, config: AppConfig): Entry => ({
  name, config, state: 'stopped', launched: null, since: 0, starting: null, halting: null, abort: null, timer: null, message: null, restarts: 0, quickDeaths: 0, stoppedOnPurpose: false,
});
