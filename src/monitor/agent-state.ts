import type { AgentRecord } from '../core/store.js';

/**
 * What an agent looks like from the store: `unassigned` when no hub instance holds its lease (they are
 * all down, or it is another instance's in-process agent whose instance died), `unreachable` when its
 * holder's last pull failed, `connecting` before a first answer, else `ok`; `gone` when it is known to
 * exist no more (its pod deleted: it is not pulled).
 */
export type AgentState = 'ok' | 'unreachable' | 'connecting' | 'unassigned' | 'gone';

export const agentState = (a: AgentRecord, now: number, gone = false): AgentState => {
  if (gone) return 'gone';
  if (a.leaseOwner === null || a.leaseExpires === null || a.leaseExpires <= now) return 'unassigned';
  if (a.lastError !== null) return 'unreachable';
  return a.lastContact === null ? 'connecting' : 'ok';
};

/** Events the agent has that the hub has not stored, and how far behind in the agent's own time. */
export const agentLag = (a: AgentRecord): { events: number; seconds: number } => {
  const events = Math.max(0, a.headOffset - a.storedOffset);
  const seconds = events > 0 && a.headTime !== null && a.storedTime !== null ? Math.max(0, (a.headTime - a.storedTime) / 1000) : 0;
  return { events, seconds };
};
