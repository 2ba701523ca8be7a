import { describe, expect, it } from 'vitest';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import { failedEvent, lineEvent, lineProgress, opening, readyEvent } from './progress-events.js';

const rec = (o: Partial<ServerRecord>): ServerRecord => ({ ...newServerRecord('alice', 'lab', 0), ...o });

describe('progress events', () => {
  it('opens as JupyterHub does: ready at once, failed at once, follow a start, refuse the rest', () => {
    expect(opening(rec({ state: 'running' }))).toEqual({ kind: 'ready', event: readyEvent(rec({})) });
    expect(readyEvent(rec({}))).toMatchObject({ progress: 100, ready: true, url: '/user/alice/lab/', message: 'Server ready at /user/alice/lab/' });
    expect(opening(rec({ state: 'failed', message: 'runtime exited with status 3' }))).toEqual({
      kind: 'failed',
      event: { progress: 100, failed: true, message: 'Spawn failed: runtime exited with status 3' },
    });
    expect(opening(rec({ state: 'pending' }))).toEqual({ kind: 'follow' });
    expect(opening(rec({ state: 'stopped' }))).toEqual({ kind: 'not-starting', message: "alice's server lab is not starting (it is stopped)" });
    expect(opening(rec({ state: 'stopping' })).kind).toBe('not-starting');
  });

  it('says a start stopped before it was ready, or a server deleted meanwhile, failed', () => {
    expect(failedEvent(rec({ state: 'stopped' })).message).toBe("Spawn cancelled: alice's server lab was stopped before it was ready");
    expect(failedEvent(undefined)).toMatchObject({ failed: true, message: 'Spawn failed: the server was deleted' });
  });

  it('raises progress with every line, below 100 (only ready is 100), never below what was sent', () => {
    const seq = Array.from({ length: 200 }, (_, i) => lineProgress(i + 1));
    expect(seq).toEqual([...seq].sort((a, b) => a - b));
    expect(seq[0]).toBeGreaterThan(10);
    expect(seq[1]).toBeGreaterThan(seq[0] as number);
    expect(Math.max(...seq)).toBeLessThan(100);
    expect(lineEvent('loading', 1, 50)).toEqual({ progress: 50, message: 'loading', nbhub: { line: 'loading' } });
  });
});
