import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { Agent } from './agent.js';
import type { Reported } from './changes.js';
import { RuntimeInsides } from './insides.js';
import { EventLog } from './log/event-log.js';
import { parseLine } from './log/lines.js';
import type { RuntimePod } from './pods.js';
import { inlineSweeper, SweepCore } from './sweep.js';
import { fakeMachine } from './testing.js';

describe('Agent in node mode', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('samples nothing until its node’s pods are listed (nothing reported gone), then follows the pods’ runtimes under the pods’ names', async () => {
    const mc = fakeMachine(); // ann's processes 100 and 200 carry the marker 'ann/' of hub-1 (no cgroups on this fake machine)
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-node-agent-'));
    dirs.push(dir);
    const log = EventLog.open(dir, { maxBytes: 1 << 20, clock: mc.clock });
    let pods: RuntimePod[] | null = null;
    let saved: Reported = { 'ann/': { kernels: {} } };
    const agent = new Agent({
      log,
      sweeper: inlineSweeper(new SweepCore(mc.reader, mc.clock, { pss: false })),
      seeds: { lastCounters: async () => new Map() },
      notebooksOf: async () => ({}),
      clock: mc.clock,
      logger: silentLogger,
      settings: () => ({ hubId: 'hub-1', intervalSeconds: 10, match: null }),
      insides: new RuntimeInsides({ pss: false }),
      reported: { load: () => saved, save: (r) => (saved = r) },
      pods: { pods: () => pods, close: () => undefined },
    });
    await agent.tick();
    expect(agent.read(0, 100).lines).toEqual([]);
    // Listed: ann's pod (whose processes carry its marker), and a pod of another hub.
    const pod = (uid: string, user: string, instance: string): RuntimePod => ({ uid, namespace: 'ns', name: uid, instance, user, server: '', ip: null, port: null });
    pods = [pod('u-ann', 'ann', 'hub-1'), pod('u-bob', 'bob', 'hub-2')];
    await agent.tick();
    const events = agent.read(0, 100).lines.map(parseLine);
    expect(events.some((e) => e.type === 'runtime' && 'change' in e && e.change === 'exited')).toBe(false);
    expect(new Set(events.filter((e) => e.type === 'sample').map((e) => ('user' in e ? e.user : '')))).toEqual(new Set(['ann']));
    await agent.stop();
    log.close();
  });
});
