import { badRequest } from '../core/errors.js';
import { EXECUTION_STATUSES, type ExecutionQuery, type ExecutionStatus } from '../core/executions.js';
import { parseTime } from '../usage/params.js';

const KERNEL_ID = /^[0-9A-Fa-f-]{8,64}$/;
const LIST_KEYS = ['user', 'server', 'kernel', 'notebook', 'status', 'since', 'until', 'limit', 'offset', 'token'];
const SUMMARY_KEYS = ['user', 'server', 'notebook', 'since', 'until', 'token'];
const MAX_OFFSET = 1_000_000_000;

type Query = Record<string, unknown>;

const reader = (query: Query, known: readonly string[]) => {
  for (const key of Object.keys(query)) if (!known.includes(key)) throw badRequest(`${key}: unknown parameter`);
  return (name: string, emptyAllowed = false): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || (v === '' && !emptyAllowed)) throw badRequest(`${name}: give it once, as a non-empty value`);
    return v;
  };
};

const count = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw badRequest(`${name}: must be a whole number from ${min} to ${max}`);
  return Number(raw);
};

const range = (str: ReturnType<typeof reader>): { since?: number; until?: number } => {
  const sinceRaw = str('since');
  const untilRaw = str('until');
  const since = sinceRaw === undefined ? undefined : parseTime('since', sinceRaw);
  const until = untilRaw === undefined ? undefined : parseTime('until', untilRaw);
  if (since !== undefined && until !== undefined && since > until) throw badRequest('since: must not be after until');
  return { ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) };
};

/** `GET /hub/api/executions`: every parameter checked, each error naming it. `server=` (empty) is the default server. */
export const parseExecutionQuery = (query: Query, o: { defaultLimit: number; maxLimit: number }): ExecutionQuery => {
  const str = reader(query, LIST_KEYS);
  const kernelId = str('kernel');
  if (kernelId !== undefined && !KERNEL_ID.test(kernelId)) throw badRequest('kernel: not a kernel id');
  const status = str('status');
  if (status !== undefined && !(EXECUTION_STATUSES as readonly string[]).includes(status)) throw badRequest(`status: must be one of ${EXECUTION_STATUSES.join(', ')}`);
  return {
    user: str('user'),
    server: str('server', true),
    kernelId,
    notebook: str('notebook'),
    status: status as ExecutionStatus | undefined,
    ...range(str),
    limit: count('limit', str('limit'), 1, o.maxLimit) ?? o.defaultLimit,
    offset: count('offset', str('offset'), 0, MAX_OFFSET) ?? 0,
  };
};

export type SummaryQuery = Omit<ExecutionQuery, 'offset' | 'limit' | 'status' | 'kernelId'> & { since: number; until: number };

/** `GET /hub/api/executions/summary`: over [since, until], by default the last `defaultDays` days. */
export const parseSummaryQuery = (query: Query, o: { now: number; defaultDays: number }): SummaryQuery => {
  const str = reader(query, SUMMARY_KEYS);
  const r = range(str);
  const until = r.until ?? Math.max(o.now, r.since ?? 0);
  const since = r.since ?? Math.min(until, o.now - o.defaultDays * 86_400_000);
  return { user: str('user'), server: str('server', true), notebook: str('notebook'), since, until };
};
