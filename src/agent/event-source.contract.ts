import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventSource } from '../core/events.js';
import { agentOnFakeMachine } from './testing.js';

/**
 * What the monitor relies on from any EventSource (the in-process agent and an agent over HTTP): events in
 * offset order after the offset asked, at most the limit, the head, the agent's stats, the latest processes.
 */
export const eventSourceContract = (name: string, connect: (fixture: ReturnType<typeof agentOnFakeMachine>) => Promise<{ source: EventSource; close: () => Promise<void> }>): void => {
  describe(`EventSource contract: ${name}`, () => {
    let fixture: ReturnType<typeof agentOnFakeMachine>;
    let source: EventSource;
    let close: () => Promise<void>;
    beforeAll(async () => {
      fixture = agentOnFakeMachine();
      await fixture.sweeps(4);
      ({ source, close } = await connect(fixture));
    });
    afterAll(async () => {
      await source.close();
      await close();
      await fixture.dispose();
    });

    it('serves events in offset order after any offset, at most the limit, with the head', async () => {
      const all = await source.fetch(0, 1000);
      expect(all.head).toBeGreaterThan(4);
      expect(all.events.map((e) => e.offset)).toEqual(Array.from({ length: all.head }, (_, i) => i + 1));
      expect(all.headTime).toBe(all.events.at(-1)?.time);
      const some = await source.fetch(2, 3);
      expect(some.events).toEqual(all.events.slice(2, 5));
      expect((await source.fetch(all.head, 10)).events).toEqual([]);
    });

    it('gives samples, kernel and runtime events their fields', async () => {
      const { events } = await source.fetch(0, 1000);
      expect(events.find((e) => e.type === 'runtime')).toMatchObject({ user: 'ann', server: '', change: 'appeared' });
      expect(events.find((e) => e.type === 'kernel')).toMatchObject({ kernel: 'aaaaaaaa-1111', change: 'appeared' });
      // Its notebooks come from the runtime's sessions, asked once the kernel is known.
      expect(events.find((e) => e.type === 'kernel' && e.change === 'notebooks')).toMatchObject({ kernel: 'aaaaaaaa-1111', notebooks: ['a.ipynb'] });
      expect(events.find((e) => e.type === 'sample')).toMatchObject({ user: 'ann', server: '', kernel: '', cpu_from: 0, cpu: 25, memory: 2000 });
    });

    it('reports the agent’s stats and latest processes', async () => {
      const { stats } = await source.fetch(0, 1);
      expect(stats).toMatchObject({ intervalSeconds: 10, sweeps: 4, errors: 0 });
      expect(stats.lastSweep).toBeGreaterThan(0);
      const procs = await source.processes();
      expect(procs.map((p) => [p.user, p.server, p.processes.length])).toEqual([['ann', '', 2]]);
    });

    it('keeps what the hub has not acknowledged', async () => {
      const { head } = await source.fetch(0, 1);
      await source.fetch(2, 1, 1);
      expect((await source.fetch(1, 1000)).events.length).toBe(head - 1);
    });
  });
};
