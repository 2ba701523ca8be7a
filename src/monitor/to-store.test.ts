import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventBatch } from '../core/events.js';
import { toWrite } from './to-store.js';

const s = (offset: number): AgentEvent => ({ type: 'sample', offset, time: offset * 1000, user: 'ann', server: '', kernel: '', cpu_from: offset - 1, cpu: offset, memory: 5 });
const batch = (events: AgentEvent[], head = 100): EventBatch => ({ events, head, headTime: head * 1000, stats: { intervalSeconds: 10, sweeps: 1, errors: 0, lastSweep: null, lastSweepDurationMs: null } });

describe('toWrite', () => {
  it('maps samples to usage rows, kernels to notebook links and counts lost samples', () => {
    const w = toWrite('a', 'hub', 3, batch([
      s(4),
      { type: 'kernel', offset: 5, time: 5, user: 'ann', server: '', kernel: 'k', change: 'appeared', notebooks: ['x.ipynb', 'y.ipynb'] },
      { type: 'lost', offset: 6, time: 6, through: 9, count: 4 },
      s(10),
    ]), 77);
    expect(w).toMatchObject({ after: 3, through: 10, throughTime: 10_000, lost: 4, headOffset: 100, at: 77 });
    expect(w.usage.map((u) => u.cpu)).toEqual([4, 10]);
    expect(w.notebooks.map((n) => n.notebook)).toEqual(['x.ipynb', 'y.ipynb']);
  });
  it('drops repeats, clips a lost range the hub is inside, and turns a hole into a lost range', () => {
    expect(toWrite('a', 'h', 5, batch([s(4), s(5), s(6)]), 0).events.map((e) => e.offset)).toEqual([6]);
    expect(toWrite('a', 'h', 5, batch([{ type: 'lost', offset: 3, time: 3, through: 8, count: 6 }, s(9)]), 0).events).toEqual([
      { type: 'lost', offset: 6, time: 3, through: 8, count: 3 },
      s(9),
    ]);
    const holed = toWrite('a', 'h', 5, batch([s(8), s(9)]), 0);
    expect(holed.events[0]).toEqual({ type: 'lost', offset: 6, time: 8000, through: 7, count: 2 });
    expect(holed.through).toBe(9);
    expect(holed.lost).toBe(2);
    // A hole inside a batch ends it there: the next pull asks again from its start.
    expect(toWrite('a', 'h', 5, batch([s(6), s(9)]), 0).through).toBe(6);
    expect(toWrite('a', 'h', 5, batch([], 5), 0)).toMatchObject({ through: 5, events: [], throughTime: null });
  });
});
