import { describe, expect, it } from 'vitest';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import { historyEvent } from './history.js';

const rec = (o: Partial<ServerRecord>): ServerRecord => ({ ...newServerRecord('alice', 'lab', 0), ...o });
const T = 1_800_000_000_000;

describe('historyEvent: what a saved change adds to a server history', () => {
  it('a start, by whoever asked, with the profile it runs', () => {
    expect(historyEvent(undefined, rec({ desired: 'running', state: 'pending', requestedBy: 'alice', profile: 'big' }), T)).toEqual({
      user: 'alice', server: 'lab', t: T, action: 'start', reason: null, by: 'alice', message: null, profile: 'big',
    });
    expect(historyEvent(rec({ state: 'failed' }), rec({ desired: 'running', state: 'pending', requestedBy: 'root' }), T)?.by).toBe('root');
  });

  it('a stop once settled, with the reason and who asked (the culler, a user, an admin, the hub)', () => {
    const stopping = rec({ desired: 'stopped', state: 'stopping', stopReason: 'idle', requestedBy: 'culler' });
    expect(historyEvent(stopping, { ...stopping, state: 'stopped' }, T)).toMatchObject({ action: 'stop', reason: 'idle', by: 'culler' });
    const byAdmin = rec({ desired: 'stopped', state: 'stopping', stopReason: 'admin', requestedBy: 'root' });
    expect(historyEvent(byAdmin, { ...byAdmin, state: 'stopped' }, T)).toMatchObject({ reason: 'admin', by: 'root' });
  });

  it("a stop is dated by the record's stoppedAt (the time the server model shows), not by when it was saved", () => {
    const stopping = rec({ desired: 'stopped', state: 'stopping', stopReason: 'idle', requestedBy: 'culler' });
    expect(historyEvent(stopping, { ...stopping, state: 'stopped', stoppedAt: T - 3 }, T)?.t).toBe(T - 3);
  });

  it('a failure, caused by the runtime or the hub as the lifecycle says, with its message', () => {
    const running = rec({ desired: 'running', state: 'running', requestedBy: 'alice' });
    const failed = { ...running, desired: 'stopped' as const, state: 'failed' as const, stopReason: 'failed' as const, requestedBy: 'runtime', message: 'The runtime exited with status 3.' };
    expect(historyEvent(running, failed, T)).toMatchObject({ action: 'stop', reason: 'failed', by: 'runtime', message: 'The runtime exited with status 3.' });
  });

  it('a runtime that went away by itself was stopped by the runtime, whoever started it', () => {
    const running = rec({ desired: 'running', state: 'running', requestedBy: 'alice' });
    expect(historyEvent(running, { ...running, desired: 'stopped', state: 'stopped' }, T)).toMatchObject({ action: 'stop', by: 'runtime' });
  });

  it('nothing for other changes (ready, stopping, activity)', () => {
    const pending = rec({ desired: 'running', state: 'pending' });
    expect(historyEvent(pending, { ...pending, state: 'running' }, T)).toBeNull();
    const running = rec({ desired: 'running', state: 'running' });
    expect(historyEvent(running, { ...running, desired: 'stopped', state: 'stopping' }, T)).toBeNull();
    expect(historyEvent(running, { ...running, lastActivity: T }, T)).toBeNull();
    expect(historyEvent(rec({ state: 'stopped' }), rec({ state: 'stopped' }), T)).toBeNull();
  });
});
