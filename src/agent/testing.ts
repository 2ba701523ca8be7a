import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeedSource } from '../core/events.js';
import { silentLogger } from '../core/logger.js';
import type { ProcStat } from '../procfs/proc.js';
import { Agent } from './agent.js';
import { RuntimeInsides } from './insides.js';
import type { Reported } from './changes.js';
import { EventLog } from './log/event-log.js';
import type { ProcReader } from './proc-reader.js';
import { inlineSweeper, SweepCore } from './sweep.js';

export const proc = (pid: number, ppid: number, cpu: number, startTime: number): ProcStat => ({
  pid, ppid, pgrp: pid, state: 'S', startTime, cpuSeconds: cpu, childCpuSeconds: 0, rssBytes: 1000,
});
export const marker = (rt: string, hub = 'hub-1'): string =>
  `PATH=/bin\0NBHUB_RUNTIME=${rt}\0NBHUB_HUB=${hub}\0NBHUB_PORT=9\0NBHUB_BASE_URL=/user/x/\0NBHUB_TOKEN=t`;

/** A machine for agent tests (a fake process table, named as such): ann's runtime with one kernel. */
export const fakeMachine = () => {
  const m = {
    now: 1_000_000,
    table: [proc(1, 0, 0, 0), proc(100, 1, 5, 500), proc(200, 100, 20, 600), proc(300, 1, 9, 500), proc(400, 1, 1, 500)],
    env: { 100: marker('ann/'), 200: marker('ann/'), 300: marker('bob/', 'hub-2') } as Record<number, string>,
  };
  const reader: ProcReader = {
    all: () => m.table,
    cmdline: (pid) => (pid === 200 ? ['python3', '-f', '/run/kernel-aaaaaaaa-1111.json'] : ['x']),
    pss: () => undefined,
    environ: (pid) => m.env[pid],
    startedAt: (st) => st.startTime,
  };
  return { m, reader, clock: { now: () => m.now } };
};

/** An agent on a fake machine with its log in a temporary directory; `dispose` removes it. */
export const agentOnFakeMachine = (o: { seeds?: SeedSource; reported?: Reported; dir?: string; mc?: ReturnType<typeof fakeMachine> } = {}) => {
  const mc = o.mc ?? fakeMachine();
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'nbhub-agent-'));
  const log = EventLog.open(dir, { maxBytes: 1 << 20, clock: mc.clock });
  let saved: Reported = o.reported ?? {};
  const agent = new Agent({
    log,
    sweeper: inlineSweeper(new SweepCore(mc.reader, mc.clock, { pss: false })),
    seeds: o.seeds ?? { lastCounters: async () => new Map() },
    notebooksOf: async () => ({ 'aaaaaaaa-1111': ['a.ipynb'] }),
    clock: mc.clock,
    logger: silentLogger,
    settings: () => ({ hubId: 'hub-1', intervalSeconds: 10, match: null }),
    insides: new RuntimeInsides({ pss: false }),
    reported: { load: () => saved, save: (r) => (saved = r) },
  });
  return {
    agent,
    log,
    mc,
    dir,
    reported: () => saved,
    /** Sweeps `n` times, 10 s apart. */
    sweeps: async (n: number) => {
      for (let i = 0; i < n; i++) {
        await agent.tick();
        mc.m.now += 10_000;
      }
    },
    dispose: async () => {
      await agent.stop();
      log.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
};
