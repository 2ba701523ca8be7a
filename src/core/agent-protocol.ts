import type { AgentStats } from './events.js';

/** The agent API (DESIGN.md idea 7): paths and field names (snake_case, as the hub's API), in one place for server and client. */
export interface WireStats {
  interval_seconds: number;
  sweeps: number;
  errors: number;
  last_sweep: number | null;
  last_sweep_duration_ms: number | null;
}

export const statsToWire = (s: AgentStats): WireStats => ({
  interval_seconds: s.intervalSeconds,
  sweeps: s.sweeps,
  errors: s.errors,
  last_sweep: s.lastSweep,
  last_sweep_duration_ms: s.lastSweepDurationMs,
});

export const statsFromWire = (w: WireStats): AgentStats => ({
  intervalSeconds: w.interval_seconds,
  sweeps: w.sweeps,
  errors: w.errors,
  lastSweep: w.last_sweep,
  lastSweepDurationMs: w.last_sweep_duration_ms,
});

export const EVENTS_PATH = '/agent/v1/events';
export const PROCESSES_PATH = '/agent/v1/processes';
export const MAX_LIMIT = 50_000;
