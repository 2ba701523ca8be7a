import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { AgentEvent, SeedSource } from '../core/events.js';
import { Agent } from './agent.js';
import { RuntimeInsides } from './insides.js';
import type { Reported } from './changes.js';
import { EventLog } from './log/event-log.js';
import { parseLine } from './log/lines.js';
import { inlineSweeper, SweepCore } from './sweep.js';
import { fakeMachine } from './testing.js';

describe('Agent', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const machine = fakeMachine;
  const open = (dir: string, mc: ReturnType<typeof machine>, seeds: SeedSource, initial: Reported = {}) => {
    const log = EventLog.open(dir, { maxBytes: 1 << 20, clock: mc.clock });
    let saved: Reported = initial;
    const agent = new Agent({
      log,
      sweeper: inlineSweeper(new SweepCore(mc.reader, mc.clock, { pss: false })),
      seeds,
      notebooksOf: async () => ({ 'aaaaaaaa-1111': ['a.ipynb'] }),
      clock: mc.clock,
      logger: silentLogger,
      settings: () => ({ hubId: 'hub-1', intervalSeconds: 10, match: null }),
      insides: new RuntimeInsides({ pss: false }),
    reported: { load: () => saved, save: (r) => (saved = r) },
    });
    return { agent, log, reported: { get: () => saved } };
  };
  const events = (agent: Agent, after = 0): AgentEvent[] => agent.read(after, 1000).lines.map(parseLine);

  it('follows only its hub’s marked runtimes, continuing the counters the hub stored, and reports changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-agent-'));
    dirs.push(dir);
    const mc = machine();
    const asked: string[] = [];
    let hubUp = false;
    const hubSeeds: SeedSource = {
      lastCounters: async (rs) => {
        asked.push(...rs.map((r) => `${r.user}/${r.server}:${[...r.kernels].sort().join(',')}`));
        if (!hubUp) throw new Error('hub down');
        return new Map([['ann/', new Map([['', { t: 999_000, cpu: 100 }]])]]);
      },
    };
    const { agent } = open(dir, mc, hubSeeds);
    await agent.tick();
    // New to this agent, and the hub cannot say where ann's counters stand: nothing is logged of her yet.
    expect(events(agent)).toEqual([]);
    mc.m.now += 10_000;
    await agent.tick(); // the sampler forgot her for a sweep
    hubUp = true;
    mc.m.now += 10_000;
    await agent.tick();
    expect(asked).toEqual(['ann/:,aaaaaaaa-1111', 'ann/:,aaaaaaaa-1111']);
    const first = events(agent);
    expect(first.map((e) => `${e.type}:${'change' in e ? e.change : 'kernel' in e ? e.kernel : ''}`)).toEqual(['runtime:appeared', 'kernel:appeared', 'sample:', 'sample:aaaaaaaa-1111']);
    // The runtime's counter continues from the hub's 100 (its processes are older than that sample).
    expect(first.find((e) => e.type === 'kernel')).toMatchObject({ kernel: 'aaaaaaaa-1111', notebooks: ['a.ipynb'] });
    expect(first.find((e) => e.type === 'sample' && e.kernel === '')).toMatchObject({ cpu_from: 100, cpu: 100 });
    expect(first.find((e) => e.type === 'sample' && e.kernel !== '')).toMatchObject({ cpu_from: 0, cpu: 20 });
    expect(agent.processes().map((p) => p.processes.map((x) => x.pid).sort())).toEqual([[100, 200]]);
    // The kernel burns 3 s; then the runtime exits.
    mc.m.now += 10_000;
    mc.m.table = mc.m.table.map((p) => (p.pid === 200 ? { ...p, cpuSeconds: 23 } : p));
    await agent.tick();
    const head = agent.read(0, 0).head;
    expect(events(agent, 4).find((e) => e.type === 'sample' && e.kernel !== '')).toMatchObject({ cpu_from: 20, cpu: 23 });
    mc.m.now += 10_000;
    mc.m.table = mc.m.table.filter((p) => p.pid !== 100 && p.pid !== 200);
    await agent.tick();
    expect(events(agent, head)).toEqual([expect.objectContaining({ type: 'runtime', change: 'exited', user: 'ann', server: '' })]);
    await agent.stop();
  });

  it('after a restart continues from its own log, without asking the hub or announcing runtimes again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-agent-'));
    dirs.push(dir);
    const mc = machine();
    const empty: SeedSource = { lastCounters: async () => new Map() };
    const one = open(dir, mc, empty);
    await one.agent.tick();
    mc.m.now += 10_000;
    await one.agent.tick();
    const reported = one.reported.get();
    const head = one.agent.read(0, 0).head;
    await one.agent.stop();
    one.log.close();

    mc.m.now += 10_000;
    mc.m.table = mc.m.table.map((p) => (p.pid === 200 ? { ...p, cpuSeconds: 27 } : p));
    const noHub: SeedSource = { lastCounters: async () => Promise.reject(new Error('hub down')) };
    const two = open(dir, mc, noHub, reported);
    await two.agent.tick();
    const after = events(two.agent, head);
    expect(after.map((e) => e.type)).toEqual(['sample', 'sample']);
    // CPU used while the agent was down (20 → 27) is not counted twice, nor made up: the counter goes on.
    expect(after.find((e) => e.type === 'sample' && e.kernel !== '')).toMatchObject({ cpu_from: 20, cpu: 20 });
    expect(after[0]?.offset).toBe(head + 1);
    await two.agent.stop();
  });
});
