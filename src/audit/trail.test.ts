import { describe, expect, it } from 'vitest';
import { audit, type AuditRecord } from '../core/audit.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { AuditRepo } from '../core/store.js';
import { StoredAuditTrail, toRecord } from './trail.js';

const repo = (fail: () => boolean) => {
  const writes: Array<ReadonlyArray<Omit<AuditRecord, 'id'>>> = [];
  const r: AuditRepo = {
    append: async (events) => {
      if (fail()) throw new Error('store down');
      writes.push(events);
    },
    query: async () => ({ items: [], total: 0 }),
    prune: async () => 0,
  };
  return { r, writes };
};

describe('StoredAuditTrail', () => {
  it('splits an event into subject, who asked and the rest', () => {
    expect(toRecord({ event: 'server_stop', user: 'ann', server: 'x', reason: 'admin', by: 'root' }, 5)).toEqual({
      time: 5,
      event: 'server_stop',
      user: 'ann',
      by: 'root',
      data: { server: 'x', reason: 'admin' },
    });
    expect(toRecord({ event: 'login', user: 'ann', via: 'local' }, 6)).toEqual({ time: 6, event: 'login', user: 'ann', by: null, data: { via: 'local' } });
  });

  it('writes events recorded together in one batch, in order, without the caller waiting', async () => {
    const { r, writes } = repo(() => false);
    const trail = new StoredAuditTrail({ repo: r, clock: { now: () => 7 }, log: silentLogger, retentionDays: 1, batchMs: 60_000 });
    audit({ log: silentLogger, auditTrail: trail }, { event: 'login', user: 'ann', via: 'local' });
    audit({ log: silentLogger, auditTrail: trail }, { event: 'logout', user: 'ann' });
    expect(writes).toEqual([]);
    await trail.flush();
    expect(writes.map((w) => w.map((e) => e.event))).toEqual([['login', 'logout']]);
    await trail.stop();
  });

  it('logs a failed write and keeps its events for the next one', async () => {
    let down = true;
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (_o: object, msg?: string) => void errors.push(msg ?? '') };
    const { r, writes } = repo(() => down);
    const trail = new StoredAuditTrail({ repo: r, clock: { now: () => 7 }, log, retentionDays: 1, batchMs: 60_000 });
    trail.record({ event: 'logout', user: 'ann' });
    await trail.flush();
    expect(errors).toEqual(['audit trail: write failed, kept for the next one']);
    down = false;
    trail.record({ event: 'logout', user: 'bob' });
    await trail.stop();
    expect(writes.map((w) => w.map((e) => e.user))).toEqual([['ann', 'bob']]);
  });
});
