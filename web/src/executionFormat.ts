import { cpuTime, short } from './units.js';
import type { ExecutionModel } from './types.js';

/** 0.12 s, 12.3 s, 3 min 5 s, 2 h 4 min. */
export const duration = (s: number | null | undefined): string => {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${short(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
};

/** CPU time of an execution: "2.98 CPU-s", or in CPU-hours from one on (units.ts cpuTime, as every page). */
export const cpuSeconds = cpuTime;

/** The first line of the code, for a table cell. */
export const codeLine = (code: string): string => {
  const first = code.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.length > 60 ? `${first.slice(0, 59)}…` : first;
};

/** How long a running execution has been running, for its duration cell. */
export const elapsed = (e: ExecutionModel, now = Date.now()): number => Math.max(0, (now - Date.parse(e.started)) / 1000);

export const clock = (iso: string | null): string => (iso ? new Date(iso).toLocaleTimeString() : '—');
