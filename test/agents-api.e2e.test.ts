import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NBHUB_BIN, startTestHub, type TestHub } from './helpers/hub.js';
import { agents, allEvents, TINY_PROFILE, type ApiEvent } from './helpers/monitoring.js';

describe('agents and events API (embedded agent)', () => {
  let hub: TestHub;
  let admin: string;
  let alice: string;

  beforeAll(async () => {
    hub = await startTestHub({ config: `monitoring:\n  interval_seconds: 1\n  pull_every_seconds: 0.2\n  pull_timeout_seconds: 1\n${TINY_PROFILE}` });
    admin = hub.addUser('admin', { admin: true });
    alice = hub.addUser('alice');
    const r = await hub.api('/hub/api/users/alice/servers/t', { method: 'POST', token: alice, body: { profile: 'tiny' } });
    expect(r.status, await r.text()).toBe(201);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('shows the in-process agent with its offset and lag, and its runtimes’ samples as events in stored order', async () => {
    await expect.poll(async () => (await agents(hub, admin)).find((a) => a.state === 'ok' && a.last_offset > 3), { timeout: 15_000 }).toBeTruthy();
    const [embedded] = (await agents(hub, admin)) as unknown as Array<Record<string, unknown>>;
    expect(embedded).toMatchObject({ embedded: true, url: null, events_lost: 0, runtimes: [{ user: 'alice', server: 't', monitoring: 'ok' }] });
    const events = await allEvents(hub, admin);
    const first = events[0] as ApiEvent;
    expect(first).toMatchObject({ seq: expect.any(Number), time: expect.any(String), type: 'runtime', agent: embedded?.['id'], offset: 1, user: 'alice', server: 't', change: 'appeared' });
    expect(events.some((e) => e.type === 'sample' && e.user === 'alice' && e.server === 't' && e.kernel === '')).toBe(true);
    const page = (await (await hub.api('/hub/api/events?after=0&limit=2', { token: admin })).json()) as { events: ApiEvent[]; next_after: number };
    expect(page.events.map((e) => e.seq)).toEqual(events.slice(0, 2).map((e) => e.seq));
    expect(page.next_after).toBe(events[1]?.seq);
    const next = (await (await hub.api(`/hub/api/events?after=${page.next_after}&limit=1`, { token: admin })).json()) as { events: ApiEvent[] };
    expect(next.events[0]?.seq).toBe(events[2]?.seq);
  });

  it('is for admins only, and names a bad parameter', async () => {
    expect((await hub.api('/hub/api/agents', { token: alice })).status).toBe(403);
    expect((await hub.api('/hub/api/events', { token: alice })).status).toBe(403);
    expect((await hub.api('/hub/api/events')).status).toBe(403);
    for (const [q, name] of [['after=-1', 'after'], ['after=x', 'after'], ['limit=0', 'limit'], ['limit=10001', 'limit'], ['since=3', 'since']]) {
      const r = await hub.api(`/hub/api/events?${q}`, { token: admin });
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { message: string }).message, q).toContain(name);
    }
    const bad = await hub.api('/hub/api/agents', { method: 'POST', token: admin, body: { id: 'n1', url: 'ftp://x', secret: 'y'.repeat(20) } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('url');
  });

  it('registers a separate agent, and shows it unreachable (its runtimes unknown) when it does not answer', async () => {
    const r = await hub.api('/hub/api/agents', { method: 'POST', token: admin, body: { id: 'node-7', url: 'http://127.0.0.1:9', secret: 's'.repeat(32) } });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: 'node-7', hub_id: expect.any(String), interval_seconds: 1, last_offset: 0 });
    await expect.poll(async () => (await agents(hub, admin)).find((a) => a.id === 'node-7')?.state, { timeout: 20_000 }).toBe('unreachable');
    const rec = (await agents(hub, admin)).find((a) => a.id === 'node-7') as unknown as { last_error: string; last_contact: string | null };
    expect(rec.last_error).toBeTruthy();
    expect(rec.last_contact).toBeNull();
    expect((await hub.api('/hub/api/agents/node-7', { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await hub.api('/hub/api/agents/node-7', { method: 'DELETE', token: admin })).status).toBe(404);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await (await hub.api('/hub/api/openapi.json')).json()) as { paths: Record<string, object> };
    for (const p of ['/hub/api/agents', '/hub/api/agents/{id}', '/hub/api/agents/{id}/seeds', '/hub/api/events']) expect(doc.paths, p).toHaveProperty([p]);
  });

  it('refuses to start an agent whose config is wrong, naming the key', () => {
    const run = (args: string[], env: Record<string, string>) => spawnSync(process.execPath, [NBHUB_BIN, 'agent', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const noToken = run(['--hub', hub.url], { NBHUB_AGENT_TOKEN: '' });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/token: required/);
    const badHub = run(['--hub', 'hub.internal'], { NBHUB_AGENT_TOKEN: admin });
    expect(badHub.stderr).toMatch(/hub: must be the hub URL/);
    const badPort = run(['--hub', hub.url, '--port', 'x'], { NBHUB_AGENT_TOKEN: admin });
    expect(badPort.stderr).toMatch(/port:/);
    expect(run(['--hub', hub.url], { NBHUB_AGENT_TOKEN: admin, NBHUB_AGENT_MAX_LOG_BYTES: 'lots' }).stderr).toMatch(/max_log_bytes: NBHUB_AGENT_MAX_LOG_BYTES="lots" is not a number/);
  });
});
