import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { agents, allEvents, caughtUp, checkHistory, TINY_PROFILE } from './helpers/monitoring.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The full 5-minute outage is bench/agent-backlog.mjs; the suite runs a shorter one.
const DOWN_MS = Number(process.env['NBHUB_TEST_BACKLOG_SECONDS'] ?? 30) * 1000;

describe('the hub down while the agent keeps sampling (SQLite)', () => {
  let hub: TestHub;
  let agent: TestAgent;
  let admin: string;

  beforeAll(async () => {
    hub = await startTestHub({ config: `monitoring:\n  embedded_agent: false\n  interval_seconds: 1\n  pull_every_seconds: 0.5\n${TINY_PROFILE}` });
    admin = hub.addUser('admin', { admin: true });
    const r = await hub.api('/hub/api/users/admin/servers/a', { method: 'POST', token: admin, body: { profile: 'tiny' } });
    expect(r.status, await r.text()).toBe(201);
    agent = await startTestAgent({ hub: hub.url, token: admin });
  });
  afterAll(async () => {
    await agent?.dispose();
    await hub?.dispose();
  });

  it(`stores the backlog of a ${DOWN_MS / 1000} s outage after the restart, with nothing lost or repeated`, async () => {
    const id = agent.identity().id;
    await expect.poll(async () => (await agents(hub, admin)).find((a) => a.id === id)?.last_offset ?? 0, { timeout: 20_000 }).toBeGreaterThan(3);
    await hub.kill('SIGKILL');
    const down = Date.now();
    const headBefore = await agent.head();
    await sleep(DOWN_MS);
    const headAfter = await agent.head();
    // The agent went on sampling: about one sample a second.
    expect(headAfter - headBefore).toBeGreaterThan((DOWN_MS / 1000) * 0.7);
    await hub.restart();
    const rec = await caughtUp(hub, admin, id, headAfter);
    expect(rec.events_lost).toBe(0);
    const events = await allEvents(hub, admin);
    checkHistory(events, id, headAfter, { maxGapMs: 2_500 });
    const during = events.filter((e) => e.type === 'sample' && Date.parse(e.time) > down && Date.parse(e.time) < down + DOWN_MS);
    expect(during.length).toBeGreaterThan((DOWN_MS / 1000) * 0.7);
    // What the hub stored, the agent may trim; nothing before it was acknowledged.
    expect(rec.lag.events).toBeLessThan(5);
  });
});
