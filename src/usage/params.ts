import { badRequest } from '../core/errors.js';
import { RESOLUTION_MS, RESOLUTIONS, type Resolution } from '../core/store.js';

export type GroupBy = 'user' | 'server' | 'kernel' | 'notebook';
const GROUPS: readonly GroupBy[] = ['user', 'server', 'kernel', 'notebook'];
const KNOWN = new Set(['user', 'server', 'kernel', 'notebook', 'group_by', 'from', 'to', 'step', 'token']);
const DAY_MS = 86_400_000;
const MAX_POINTS = 10_000;
// The largest time a JavaScript Date holds (year 275760); stored times are bigint milliseconds.
const MAX_TIME_MS = 8.64e15;

export interface UsageParams {
  user?: string | undefined;
  server?: string | undefined;
  kernel?: string | undefined;
  notebook?: string | undefined;
  groupBy: GroupBy;
  from: number;
  to: number;
  step: number;
  resolution: Resolution;
  /** The sampling interval (from config), ms. */
  sampleIntervalMs: number;
}

/** Default steps: each maps onto whole stored buckets, so a point never straddles two. */
const LADDER_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];
/** About this many points per series when no step is given (a month is 30 daily points). */
const DEFAULT_POINTS = 30;

/** ISO 8601 or Unix seconds (the two forms), to milliseconds; the name is for the error. */
export const parseTime = (name: string, value: string): number => {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${name}: ${JSON.stringify(value)} is not a time (ISO 8601 or Unix seconds)`);
  if (ms < 0 || ms > MAX_TIME_MS) throw badRequest(`${name}: ${JSON.stringify(value)} is out of range`);
  return Math.round(ms);
};

/**
 * Validates /hub/api/usage's query and picks the coarsest stored resolution that still answers the step
 * (and that still holds data that old, by retention).
 */
export const parseUsageParams = (
  query: Record<string, unknown>,
  o: { now: number; intervalSeconds: number; retentionDays: Record<Resolution, number> },
): UsageParams => {
  for (const key of Object.keys(query)) if (!KNOWN.has(key)) throw badRequest(`${key}: unknown parameter`);
  const str = (name: string, emptyAllowed = false): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (v === '' && !emptyAllowed)) throw badRequest(`${name}: give it once, as a non-empty value`);
    return v;
  };
  const groupBy = (str('group_by') ?? 'server') as GroupBy;
  if (!GROUPS.includes(groupBy)) throw badRequest(`group_by: must be one of ${GROUPS.join(', ')}`);
  const toRaw = str('to');
  const fromRaw = str('from');
  const to = toRaw === undefined ? o.now : parseTime('to', toRaw);
  const from = fromRaw === undefined ? to - 3_600_000 : parseTime('from', fromRaw);
  if (from >= to) throw badRequest('from: must be before to');
  const span = to - from;
  const stepRaw = str('step');
  let step: number;
  if (stepRaw === undefined) {
    const want = span / DEFAULT_POINTS / 1000;
    step = Math.max(o.intervalSeconds, LADDER_S.find((s) => s >= want) ?? (LADDER_S[LADDER_S.length - 1] as number)) * 1000;
  }
  else {
    if (!/^\d+$/.test(stepRaw) || Number(stepRaw) < 1) throw badRequest('step: must be a whole number of seconds, at least 1');
    step = Number(stepRaw) * 1000;
  }
  if (span / step > MAX_POINTS) throw badRequest(`step: too small for the range (more than ${MAX_POINTS} points)`);
  // The coarsest resolution no wider than the step, then a coarser one if that one no longer reaches `from`.
  let i = RESOLUTIONS.length - 1;
  while (i > 0 && RESOLUTION_MS[RESOLUTIONS[i] as Resolution] > step) i--;
  while (i < RESOLUTIONS.length - 1 && from < o.now - o.retentionDays[RESOLUTIONS[i] as Resolution] * DAY_MS) i++;
  const resolution = RESOLUTIONS[i] as Resolution;
  // `server=` (empty) names the default server.
  return {
    user: str('user'),
    server: str('server', true),
    kernel: str('kernel'),
    notebook: str('notebook'),
    groupBy,
    from,
    to,
    step,
    resolution,
    sampleIntervalMs: o.intervalSeconds * 1000,
  };
};
