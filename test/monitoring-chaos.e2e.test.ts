import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { agents, allEvents, caughtUp, checkHistory, TINY_PROFILE } from './helpers/monitoring.js';
import { createTestDatabase } from './helpers/postgres.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic "random" moments (a seeded LCG), so a failure can be replayed. */
const rng = (seed: number) => () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

describe('monitoring loses nothing: the hub SIGKILLed five times and the agent once while samples flow (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let hub: TestHub;
  let agent: TestAgent;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase('nbhub_chaos');
    hub = await startTestHub({
      config: `database_url: ${db.url}\nmonitoring:\n  embedded_agent: false\n  interval_seconds: 1\n  pull_every_seconds: 0.2\n  lease_seconds: 3\n${TINY_PROFILE}`,
    });
    admin = hub.addUser('admin', { admin: true });
    for (const name of ['a', 'b']) {
      const r = await hub.api(`/hub/api/users/admin/servers/${name}`, { method: 'POST', token: admin, body: { profile: 'tiny' } });
      expect(r.status, await r.text()).toBe(201);
    }
    agent = await startTestAgent({ hub: hub.url, token: admin });
  });
  afterAll(async () => {
    await agent?.dispose();
    await hub?.dispose();
    await db?.drop();
  });

  it('stores every agent offset exactly once, and each runtime’s samples without a hole except while the agent was down', async () => {
    const id = agent.identity().id;
    // Samples flow into the store first.
    await expect.poll(async () => (await agents(hub, admin)).find((a) => a.id === id)?.last_offset ?? 0, { timeout: 20_000 }).toBeGreaterThan(10);
    const random = rng(6);
    let agentDown: [number, number] | null = null;
    for (let i = 0; i < 5; i++) {
      await sleep(800 + random() * 2500);
      await hub.kill('SIGKILL');
      if (i === 2) {
        // The agent dies too, at a random moment while the hub is down, and comes back.
        await sleep(random() * 800);
        const from = Date.now();
        await agent.kill('SIGKILL');
        await sleep(1000 + random() * 1000);
        await agent.restart();
        agentDown = [from, Date.now()];
      } else {
        await sleep(300 + random() * 1500);
      }
      await hub.restart();
    }
    // Let it run a little after the last restart, then stop the agent to fix its head, and wait for the hub.
    await sleep(2000);
    await agent.kill('SIGTERM');
    await agent.restart();
    const head = await agent.head();
    const rec = await caughtUp(hub, admin, id, head);
    expect(rec.events_lost).toBe(0);

    const events = await allEvents(hub, admin);
    const { stored, samples, lastSampleTime, series } = checkHistory(events, id, head, { maxGapMs: 2_500, allowed: agentDown ? [agentDown] : [] });
    expect(series).toEqual(expect.arrayContaining(['admin/a/', 'admin/b/']));
    // The store agrees: unique (agent, offset) rows, one raw usage row per sample event.
    const [counts] = await db.query<{ n: string; d: string }>('select count(*) n, count(distinct agent_offset) d from agent_events where agent = $1 and agent_offset <= $2', [id, stored]);
    expect([Number(counts?.n), Number(counts?.d)]).toEqual([stored, stored]);
    const [usage] = await db.query<{ rows: string }>("select count(*) rows from usage_raw u join usage_series s on s.id = u.series where s.user_name = 'admin' and u.t <= $1", [lastSampleTime]);
    expect(Number(usage?.rows)).toBe(samples);
  });
});
