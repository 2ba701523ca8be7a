import { lastOffsetOf, type AgentEvent, type EventBatch } from '../core/events.js';
import type { EventBatchWrite, KernelNotebook, UsageRow } from '../core/store.js';

/**
 * What a batch pulled from an agent means for the store: the events that continue the stored offset
 * (repeats dropped; a gap becomes a lost range, never silence), the usage rows of their samples, the
 * notebooks of their kernels, and the offset they reach.
 */
export const toWrite = (agent: string, owner: string, after: number, batch: EventBatch, at: number): EventBatchWrite => {
  const events: AgentEvent[] = [];
  let last = after;
  for (const e of batch.events) {
    if (lastOffsetOf(e) <= last) continue;
    if (e.offset > last + 1) {
      if (events.length > 0) break; // a hole inside the batch: the next pull starts there
      events.push({ type: 'lost', offset: last + 1, time: e.time, through: e.offset - 1, count: e.offset - 1 - last });
    }
    const clipped: AgentEvent = e.type === 'lost' && e.offset <= last ? { ...e, offset: last + 1, count: e.through - last } : e;
    events.push(clipped);
    last = lastOffsetOf(clipped);
  }
  const usage: UsageRow[] = [];
  const notebooks: KernelNotebook[] = [];
  let lost = 0;
  for (const e of events) {
    if (e.type === 'sample') usage.push({ user: e.user, server: e.server, kernel: e.kernel, t: e.time, cpuFrom: e.cpu_from, cpu: e.cpu, memory: e.memory });
    else if (e.type === 'kernel') for (const notebook of e.notebooks) notebooks.push({ user: e.user, server: e.server, kernel: e.kernel, notebook });
    else if (e.type === 'lost') lost += e.count;
  }
  return {
    agent,
    owner,
    after,
    through: last,
    throughTime: events.at(-1)?.time ?? null,
    events,
    usage,
    notebooks,
    lost,
    headOffset: Math.max(batch.head, last),
    headTime: batch.headTime,
    at,
  };
};
