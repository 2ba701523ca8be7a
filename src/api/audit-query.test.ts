import { describe, expect, it } from 'vitest';
import { HubError } from '../core/errors.js';
import { parseAuditQuery, type RawAuditQuery } from './audit-query.js';

const limits = { defaultLimit: 50, maxLimit: 200 };
const parse = (raw: RawAuditQuery) => parseAuditQuery(raw, limits);
const refusal = (raw: RawAuditQuery): string => {
  try {
    parse(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('BAD_REQUEST');
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('parseAuditQuery', () => {
  it('defaults: first page, no filters', () => {
    expect(parse({})).toEqual({ user: undefined, by: undefined, events: [], since: undefined, until: undefined, offset: 0, limit: 50 });
  });

  it('reads every filter; event repeats; limit is capped', () => {
    const q = parse({ user: 'ann', by: 'root', event: ['login', 'logout', 'login'], since: '2026-01-02T03:04:05Z', until: '2026-01-03', offset: '10', limit: '5000' });
    expect(q).toEqual({
      user: 'ann',
      by: 'root',
      events: ['login', 'logout'],
      since: Date.UTC(2026, 0, 2, 3, 4, 5),
      until: Date.UTC(2026, 0, 3),
      offset: 10,
      limit: 200,
    });
    expect(parse({ event: 'token_create' }).events).toEqual(['token_create']);
  });

  it('a time without a zone is UTC; offsets are honoured', () => {
    expect(parse({ since: '2026-01-02T03:04' }).since).toBe(Date.UTC(2026, 0, 2, 3, 4));
    expect(parse({ since: '2026-01-02T03:04:05.250+01:00' }).since).toBe(Date.UTC(2026, 0, 2, 2, 4, 5, 250));
  });

  it('refuses bad input naming the parameter', () => {
    expect(refusal({ event: ['login', 'nope'] })).toMatch(/^event must be one of .*"nope"/);
    expect(refusal({ since: 'yesterday' })).toMatch(/^since must be an ISO 8601 time/);
    expect(refusal({ until: '2026-13-45' })).toMatch(/^until must be/);
    expect(refusal({ since: '2026-01-03', until: '2026-01-02' })).toBe('since must not be after until');
    expect(refusal({ limit: '0' })).toMatch(/^limit must be a whole number of at least 1/);
    expect(refusal({ offset: '-1' })).toMatch(/^offset must be/);
    expect(refusal({ offset: '1.5' })).toMatch(/^offset must be/);
    expect(refusal({ user: ['a', 'b'] })).toBe('user may be given once');
    expect(refusal({ by: '' })).toMatch(/^by must be a name/);
  });
});
