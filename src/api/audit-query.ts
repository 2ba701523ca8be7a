import { AUDIT_EVENTS, type AuditQuery } from '../core/audit.js';
import { badRequest } from '../core/errors.js';

/** GET /hub/api/audit's query string as fastify parses it (a repeated parameter is a list). */
export type RawAuditQuery = Partial<Record<'user' | 'by' | 'event' | 'since' | 'until' | 'offset' | 'limit', string | string[]>>;

const one = (raw: RawAuditQuery, key: keyof RawAuditQuery): string | undefined => {
  const v = raw[key];
  if (Array.isArray(v)) throw badRequest(`${key} may be given once`);
  return v;
};

// An ISO 8601 date or date-time (with a zone, or UTC when it has none), as JupyterHub's timestamps.
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const time = (raw: RawAuditQuery, key: 'since' | 'until'): number | undefined => {
  const v = one(raw, key);
  if (v === undefined) return undefined;
  const t = ISO.test(v) ? Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(v) || !v.includes('T') ? v : `${v}Z`) : NaN;
  if (!Number.isFinite(t)) throw badRequest(`${key} must be an ISO 8601 time (for example 2026-01-31T12:00:00Z), not ${JSON.stringify(v.slice(0, 64))}`);
  return t;
};

const count = (raw: RawAuditQuery, key: 'offset' | 'limit', min: number): number | undefined => {
  const v = one(raw, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min) throw badRequest(`${key} must be a whole number of at least ${min}`);
  return Number(v);
};

const name = (raw: RawAuditQuery, key: 'user' | 'by'): string | undefined => {
  const v = one(raw, key);
  if (v !== undefined && (v === '' || v.length > 255)) throw badRequest(`${key} must be a name of 1 to 255 characters`);
  return v;
};

/** Reads and checks the filters; a bad one is a 400 naming the parameter. `limit` is capped at `maxLimit`. */
export const parseAuditQuery = (raw: RawAuditQuery, o: { defaultLimit: number; maxLimit: number }): AuditQuery => {
  const events = raw.event === undefined ? [] : Array.isArray(raw.event) ? raw.event : [raw.event];
  const unknown = events.find((e) => !(AUDIT_EVENTS as readonly string[]).includes(e));
  if (unknown !== undefined) throw badRequest(`event must be one of ${AUDIT_EVENTS.join(', ')}; not ${JSON.stringify(unknown.slice(0, 64))}`);
  const since = time(raw, 'since');
  const until = time(raw, 'until');
  if (since !== undefined && until !== undefined && since > until) throw badRequest('since must not be after until');
  return {
    user: name(raw, 'user'),
    by: name(raw, 'by'),
    events: [...new Set(events)],
    since,
    until,
    offset: count(raw, 'offset', 0) ?? 0,
    limit: Math.min(count(raw, 'limit', 1) ?? o.defaultLimit, o.maxLimit),
  };
};
