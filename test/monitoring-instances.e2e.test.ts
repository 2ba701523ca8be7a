import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAgent, type TestAgent } from './helpers/agent.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { agents, allEvents, caughtUp, checkHistory, TINY_PROFILE } from './helpers/monitoring.js';
import { createTestDatabase } from './helpers/postgres.js';

const LEASE_S = 4;

describe('two hub instances on one PostgreSQL share the agents by lease', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestHub;
  let b: TestHub;
  let busy: TestAgent;
  let idle: TestAgent;
  let admin: string;
  let config: string;

  beforeAll(async () => {
    db = await createTestDatabase('nbhub_instances');
    config = `database_url: ${db.url}\nmonitoring:\n  embedded_agent: false\n  interval_seconds: 1\n  pull_every_seconds: 0.2\n  lease_seconds: ${LEASE_S}\n${TINY_PROFILE}`;
    a = await startTestHub({ config });
    admin = a.addUser('admin', { admin: true });
    const r = await a.api('/hub/api/users/admin/servers/a', { method: 'POST', token: admin, body: { profile: 'tiny' } });
    expect(r.status, await r.text()).toBe(201);
    busy = await startTestAgent({ hub: a.url, token: admin });
    // A second agent (following no runtime here: one machine stands in for two) so there is something to split.
    idle = await startTestAgent({ hub: a.url, token: admin, env: { NBHUB_AGENT_MATCH: '^nobody/$' } });
  });
  afterAll(async () => {
    await busy?.dispose();
    await idle?.dispose();
    await b?.dispose();
    await a?.dispose();
    await db?.drop();
  });

  it('splits the agents, and when one instance is killed the other takes its agents over within the lease time, with no duplicate', async () => {
    const owners = async (via: TestHub) => Object.fromEntries((await agents(via, admin)).map((x) => [x.id, x.owner ?? '']));
    const portOf = (owner: string) => Number(owner.slice(owner.lastIndexOf(':') + 1));
    // Alone, a takes both agents; once b is up, each instance holds one.
    await expect.poll(async () => Object.values(await owners(a)).map(portOf), { timeout: 15_000 }).toEqual([a.port, a.port]);
    b = await startTestHub({ config });
    await expect.poll(async () => Object.values(await owners(b)).map(portOf).sort(), { timeout: 20_000 }).toEqual([a.port, b.port].sort());
    // Kill the instance pulling the agent whose samples flow.
    const busyId = busy.identity().id;
    const [victim, survivor] = portOf((await owners(b))[busyId] ?? '') === a.port ? [a, b] : [b, a];
    await victim.kill('SIGKILL');
    const killed = Date.now();
    let tookOver = 0;
    await expect
      .poll(
        async () => {
          if (Object.values(await owners(survivor)).every((o) => portOf(o) === survivor.port)) tookOver ||= Date.now() - killed;
          return tookOver > 0;
        },
        { timeout: LEASE_S * 3000, interval: 100 },
      )
      .toBe(true);
    console.log(`takeover of the killed instance's agents: ${tookOver} ms after SIGKILL (lease ${LEASE_S} s)`);
    expect(tookOver).toBeLessThanOrEqual(LEASE_S * 1000 + 500);
    const head = await busy.head();
    const rec = await caughtUp(survivor, admin, busyId, head);
    expect(rec.events_lost).toBe(0);
    checkHistory(await allEvents(survivor, admin), busyId, head, { maxGapMs: LEASE_S * 1000 + 2_500 });
    const [dups] = await db.query<{ n: string }>('select count(*) n from (select agent, agent_offset from agent_events group by 1, 2 having count(*) > 1) d');
    expect(Number(dups?.n)).toBe(0);
  });
});
