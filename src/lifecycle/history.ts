import type { ServerRecord } from '../core/models.js';
import type { ServerEvent } from '../core/store.js';

const down = (r: ServerRecord | undefined) => !r || r.state === 'stopped' || r.state === 'failed';

/**
 * The history event a saved change makes, if any (pure): a start when a server leaves stopped or failed
 * for pending, a stop when it settles as stopped or failed, caused by whoever asked for the last change
 * (the lifecycle names 'runtime' or 'hub' as the cause of a failure). A stop is dated by the record's
 * stoppedAt, so the history and the server model give the same time.
 */
export const historyEvent = (prev: ServerRecord | undefined, next: ServerRecord, at: number): ServerEvent | null => {
  if (down(prev) && next.state === 'pending') {
    return { user: next.user, server: next.name, t: at, action: 'start', reason: null, by: next.requestedBy, message: null, profile: next.profile };
  }
  if (prev && !down(prev) && down(next)) {
    // Nobody asked for a stop that the runtime did by itself.
    const by = next.state === 'stopped' && prev.desired === 'running' ? 'runtime' : next.requestedBy;
    const reason = next.state === 'failed' ? 'failed' : next.stopReason;
    return { user: next.user, server: next.name, t: next.stoppedAt ?? at, action: 'stop', reason, by, message: next.message, profile: next.profile };
  }
  return null;
};
