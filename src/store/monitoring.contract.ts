import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, SampleEvent } from '../core/events.js';
import type { EventBatchWrite } from '../core/store.js';
import type { TestStore } from './testing.js';

/** Agents, leases and stored events, for every Store (called by each dialect's test, like storeContract). */
export const monitoringStoreContract = (name: string, open: () => Promise<{ store: TestStore; cleanup: () => Promise<void> }>): void => {
  describe(`Store contract (agents and events): ${name}`, () => {
    let store: TestStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    const T = 1_800_000_000_000;
    const sample = (offset: number, extra: Partial<SampleEvent> = {}): SampleEvent => ({
      type: 'sample', offset, time: T + offset * 1000, user: 'ann', server: '', kernel: '', cpu_from: offset - 1, cpu: offset, memory: 100, ...extra,
    });
    const batch = (agent: string, owner: string, after: number, events: AgentEvent[], extra: Partial<EventBatchWrite> = {}): EventBatchWrite => ({
      agent, owner, after, through: events.at(-1)?.offset ?? after, throughTime: events.at(-1)?.time ?? null, events,
      usage: events.flatMap((e) => (e.type === 'sample' ? [{ user: e.user, server: e.server, kernel: e.kernel, t: e.time, cpuFrom: e.cpu_from, cpu: e.cpu, memory: e.memory }] : [])),
      notebooks: [], lost: 0, headOffset: events.at(-1)?.offset ?? after, headTime: null, at: T, ...extra,
    });

    it('registers agents and keeps what was stored of them when they register again', async () => {
      const a = await store.agents.register({ id: 'node-1', url: 'http://10.0.0.1:8001', secret: 's1', at: T });
      expect(a).toMatchObject({ id: 'node-1', url: 'http://10.0.0.1:8001', secret: 's1', storedOffset: 0, eventsLost: 0, leaseOwner: null });
      await store.agents.register({ id: 'local', url: null, secret: null, at: T });
      expect(await store.agents.claim('node-1', 'hub-a', T, T + 10_000)).toBe(true);
      await store.events.store(batch('node-1', 'hub-a', 0, [sample(1), sample(2)]));
      const again = await store.agents.register({ id: 'node-1', url: 'http://10.0.0.1:9001', secret: 's2', at: T + 5 });
      expect(again).toMatchObject({ url: 'http://10.0.0.1:9001', secret: 's2', storedOffset: 2, leaseOwner: 'hub-a' });
      expect((await store.agents.list()).map((x) => x.id)).toEqual(['local', 'node-1']);
    });

    it('hands a lease over only when it is free, expired, or already the claimer’s', async () => {
      await store.agents.register({ id: 'node-2', url: 'http://x', secret: 's', at: T });
      expect(await store.agents.claim('node-2', 'hub-a', T, T + 10_000)).toBe(true);
      expect(await store.agents.claim('node-2', 'hub-b', T + 5_000, T + 15_000)).toBe(false);
      expect(await store.agents.claim('node-2', 'hub-a', T + 5_000, T + 15_000)).toBe(true);
      expect(await store.agents.claim('node-2', 'hub-b', T + 15_001, T + 25_000)).toBe(true);
      expect(await store.agents.renew('hub-a', ['node-2', 'node-1'], T + 30_000)).toEqual(['node-1']);
      await store.agents.release('hub-b', ['node-2']);
      expect((await store.agents.get('node-2'))?.leaseOwner).toBeNull();
      // Two instances racing for a free agent: one wins.
      const wins = await Promise.all([store.agents.claim('node-2', 'hub-a', T, T + 1), store.agents.claim('node-2', 'hub-b', T, T + 1)]);
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('stores a batch, its usage and notebooks with the new offset, and pages events in stored order', async () => {
      await store.agents.register({ id: 'node-3', url: 'http://x', secret: 's', at: T });
      await store.agents.claim('node-3', 'hub-a', T, T + 60_000);
      const kernel: AgentEvent = { type: 'kernel', offset: 2, time: T + 2000, user: 'ann', server: '', kernel: 'k1', change: 'appeared', notebooks: ['a.ipynb'] };
      await store.events.store({
        ...batch('node-3', 'hub-a', 0, [sample(1, { server: 'x' }), kernel, sample(3, { server: 'x' })]),
        notebooks: [{ user: 'ann', server: '', kernel: 'k1', notebook: 'a.ipynb' }],
        headOffset: 7,
        headTime: T + 7000,
      });
      const rec = await store.agents.get('node-3');
      expect(rec).toMatchObject({ storedOffset: 3, storedTime: T + 3000, headOffset: 7, headTime: T + 7000, lastContact: T, lastError: null });
      const raw = await store.usage.query({ resolution: 'raw', from: T, to: T + 10_000, user: 'ann', server: 'x', kernels: 'runtime' });
      expect(raw.map((r) => r.cpu)).toEqual([1, 3]);
      expect((await store.usage.notebooks({ user: 'ann' })).map((n) => n.notebook)).toEqual(['a.ipynb']);
      const stored = await store.events.ofAgent('node-3', 0, 100);
      expect(stored.map((s) => s.event)).toEqual([sample(1, { server: 'x' }), kernel, sample(3, { server: 'x' })]);
      const all = await store.events.page(0, 1000);
      const seqs = all.map((s) => s.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(all.filter((s) => s.agent === 'node-3').map((s) => s.event.offset)).toEqual([1, 2, 3]);
      const firstTwo = await store.events.page(0, 2);
      expect(await store.events.page(firstTwo[1]?.seq ?? 0, 1000)).toEqual(all.slice(2));
    });

    it('refuses a batch that does not continue the stored offset, or from an instance without the lease, writing nothing', async () => {
      await store.agents.register({ id: 'node-4', url: 'http://x', secret: 's', at: T });
      await store.agents.claim('node-4', 'hub-a', T, T + 60_000);
      await store.events.store(batch('node-4', 'hub-a', 0, [sample(1, { user: 'cy' })]));
      // Again from 0 (a hub that crashed before seeing its commit): nothing stored twice.
      await expect(store.events.store(batch('node-4', 'hub-a', 0, [sample(1, { user: 'cy' }), sample(2, { user: 'cy' })]))).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(store.events.store(batch('node-4', 'hub-b', 1, [sample(2, { user: 'cy' })]))).rejects.toMatchObject({ code: 'CONFLICT' });
      // An event at an offset already stored, even with a matching offset: the unique backstop refuses it all.
      await expect(store.events.store({ ...batch('node-4', 'hub-a', 1, [sample(1, { user: 'cy', time: T + 99_000 })]), through: 2 })).rejects.toBeTruthy();
      expect((await store.agents.get('node-4'))?.storedOffset).toBe(1);
      expect((await store.usage.query({ resolution: 'raw', from: T, to: T + 100_000, user: 'cy', kernels: 'runtime' })).map((r) => r.t)).toEqual([T + 1000]);
      // Two writers of the same batch at once: exactly one stores it.
      const outcomes = await Promise.allSettled([
        store.events.store(batch('node-4', 'hub-a', 1, [sample(2, { user: 'cy' })])),
        store.events.store(batch('node-4', 'hub-a', 1, [sample(2, { user: 'cy' })])),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect((await store.events.ofAgent('node-4', 0, 100)).map((s) => s.event.offset)).toEqual([1, 2]);
    });

    it('stores samples that repeat a stored one’s series and time (the stored raw row stays), in one batch or later', async () => {
      await store.agents.register({ id: 'node-7', url: 'http://x', secret: 's', at: T });
      await store.agents.claim('node-7', 'hub-a', T, T + 60_000);
      const at = { user: 'eve', time: T + 5000 };
      await store.events.store(batch('node-7', 'hub-a', 0, [sample(1, { ...at, cpu_from: 1, cpu: 2 }), sample(2, { ...at, cpu_from: 0, cpu: 3 })]));
      await store.events.store(batch('node-7', 'hub-a', 2, [sample(3, { ...at, cpu_from: 0, cpu: 9 }), sample(4, { user: 'eve', time: T + 6000, cpu_from: 9, cpu: 10 })]));
      expect((await store.agents.get('node-7'))?.storedOffset).toBe(4);
      expect((await store.events.ofAgent('node-7', 0, 100)).map((s) => s.event.offset)).toEqual([1, 2, 3, 4]);
      const raw = await store.usage.query({ resolution: 'raw', from: T, to: T + 10_000, user: 'eve', kernels: 'runtime' });
      expect(raw.map((r) => [r.t, r.cpu])).toEqual([[T + 5000, 3], [T + 6000, 10]]);
      const minute = await store.usage.query({ resolution: '1m', from: T - 60_000, to: T + 60_000, user: 'eve', kernels: 'runtime' });
      expect(minute.map((r) => [r.cpuFrom, r.cpu])).toEqual([[0, 10]]);
    });

    it('counts lost samples, records contact and errors, and knows the live instances', async () => {
      await store.agents.register({ id: 'node-5', url: 'http://x', secret: 's', at: T });
      await store.agents.claim('node-5', 'hub-a', T, T + 60_000);
      const lost: AgentEvent = { type: 'lost', offset: 1, time: T, through: 40, count: 40 };
      await store.events.store({ ...batch('node-5', 'hub-a', 0, [lost]), through: 40, lost: 40 });
      await store.agents.noteContact('node-5', 'hub-a', { at: T + 1, error: 'connect ECONNREFUSED' });
      await store.agents.noteContact('node-5', 'hub-b', { at: T + 2, error: 'not the holder' });
      expect(await store.agents.get('node-5')).toMatchObject({ storedOffset: 40, eventsLost: 40, lastError: 'connect ECONNREFUSED', lastContact: T });
      await store.agents.noteContact('node-5', 'hub-a', { at: T + 3, error: null, headOffset: 41, headTime: T + 3 });
      expect(await store.agents.get('node-5')).toMatchObject({ lastError: null, lastContact: T + 3, headOffset: 41 });
      await store.instances.heartbeat('hub-a', T);
      await store.instances.heartbeat('hub-b', T - 20_000);
      expect(await store.instances.live(T - 10_000)).toEqual(['hub-a']);
    });

    it('prunes events older than a time (event times grow with the stored order), and forgets agents', async () => {
      await store.agents.register({ id: 'node-6', url: 'http://x', secret: 's', at: T });
      await store.agents.claim('node-6', 'hub-a', T, T + 60_000);
      await store.events.store(batch('node-6', 'hub-a', 0, [200, 201, 202].map((o) => sample(o - 199, { user: 'dee', time: T + o * 1000 }))));
      await store.events.prune(T + 201_000);
      expect((await store.events.page(0, 10_000)).map((s) => [s.agent, s.event.offset])).toEqual([['node-6', 2], ['node-6', 3]]);
      expect(await store.agents.delete('node-6')).toBe(true);
      expect(await store.agents.get('node-6')).toBeUndefined();
    });
  });
};
