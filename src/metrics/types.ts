import type { SinkStats } from '../core/log-shipping.js';
import type { LogFeedStats } from '../core/logs.js';
import type { RuntimeSnapshot, SamplerStats } from '../core/usage.js';

export type { SamplerStats };

/** One runtime the hub knows of, whatever its state (every server record). */
export interface RuntimeInfo {
  user: string;
  server: string;
  /** A ServerState in practice; any string is counted under its own name. */
  state: string;
  /** The runtime's memory limit, when its profile or spawner sets one. */
  memoryLimitBytes: number | null;
}

/** The hub process itself, under the names every Prometheus client library uses. */
export interface HubProcessStats {
  /** Unix seconds. */
  startTimeSeconds: number;
  residentMemoryBytes: number;
  /** User + system CPU of the hub process. */
  cpuSecondsTotal: number;
}

/** Everything /hub/metrics shows, gathered by the caller; renderMetrics only formats it. */
export interface MetricsInput {
  /** The latest sweep of every running runtime (UsageSource.latest()). */
  snapshots: RuntimeSnapshot[];
  runtimes: RuntimeInfo[];
  /** Number of user accounts. */
  users: number;
  sampler: SamplerStats;
  hub: HubProcessStats;
  /** Each log shipping target's counters (none when logs.ship names no target). */
  logShipping?: readonly SinkStats[];
  /** What the log feed lost before it was read or shipped (absent: nothing written). */
  logFeed?: LogFeedStats | undefined;
}
