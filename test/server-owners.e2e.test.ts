import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { createTestDatabase } from './helpers/postgres.js';

const LEASE_S = 4;

// A cheap runtime that says which process answered; its workspace on the command line tells whose it is.
const PROFILE = `profiles:
  echo:
    command: ["node", "-e", "require('http').createServer((q, s) => s.end(JSON.stringify({ pid: process.pid }))).listen(+process.argv[1], '127.0.0.1')", "{port}", "{workspace}"]
    readiness_path: ""
`;

/** Runtime processes whose command line names `needle` (a workspace path): asks the OS, not the hub. */
const pidsOf = (needle: string): number[] => {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('node') && cmd.includes(needle)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
};

interface ServerModel {
  ready: boolean;
  pending: string | null;
  stopped: boolean;
  nbhub: { state: string; owner?: string | null; requested_by: string | null; stop_reason: string | null };
}

describe('two hub instances on one PostgreSQL: one owner acts on each server', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestHub;
  let b: TestHub;
  let admin: string;
  let alice: string;

  beforeAll(async () => {
    db = await createTestDatabase('nbhub_owners');
    const config = `database_url: ${db.url}\nlifecycle:\n  poll_seconds: 1\nmonitoring:\n  embedded_agent: false\n  lease_seconds: ${LEASE_S}\n${PROFILE}`;
    a = await startTestHub({ config });
    b = await startTestHub({ config });
    admin = a.addUser('admin', { admin: true });
    alice = a.addUser('alice');
  });
  afterAll(async () => {
    await b?.dispose();
    await a?.dispose();
    await db?.drop();
  });

  const server = async (via: TestHub, name: string): Promise<ServerModel | undefined> => {
    const r = await via.api('/hub/api/users/alice?include_stopped_servers', { token: admin });
    expect(r.status).toBe(200);
    return ((await r.json()) as { servers: Record<string, ServerModel> }).servers[name];
  };
  const through = async (via: TestHub, name: string): Promise<{ status: number; pid?: number }> => {
    const r = await via.api(`/user/alice/${name}/`, { token: alice });
    return r.status === 200 ? { status: 200, pid: ((await r.json()) as { pid: number }).pid } : { status: r.status };
  };
  const history = async (via: TestHub, name: string) => {
    const r = await via.api(`/hub/api/users/alice/servers/${name}/history`, { token: admin });
    return ((await r.json()) as { events: Array<{ action: string; by: string | null; reason: string | null }> }).events;
  };
  const workspaceOf = (hub: TestHub, name: string) => `${hub.dataDir}/workspaces/alice/${name}`;
  const ownerOf = (hub: TestHub) => `:${hub.port}`;

  it('a server started through A is listed as running by B and reachable through B’s proxy', async () => {
    const r = await a.api('/hub/api/users/alice/servers/lab', { method: 'POST', token: alice, body: { profile: 'echo' } });
    expect(r.status, await r.text()).toBe(201);
    await expect.poll(async () => (await server(b, 'lab'))?.ready, { timeout: 10_000 }).toBe(true);
    expect((await server(b, 'lab'))?.nbhub.owner).toMatch(new RegExp(`${ownerOf(a)}$`));
    const viaA = await through(a, 'lab');
    const viaB = await through(b, 'lab');
    expect(viaB).toEqual({ status: 200, pid: viaA.pid });
    // One runtime, spawned by A (in A's workspaces), none by B.
    expect(pidsOf(workspaceOf(a, 'lab'))).toEqual([viaA.pid]);
    expect(pidsOf(workspaceOf(b, 'lab'))).toEqual([]);
  });

  it('a stop requested through B is carried out once, by A; a start through B is too', async () => {
    const r = await b.api('/hub/api/users/alice/servers/lab', { method: 'DELETE', token: alice });
    expect([202, 204]).toContain(r.status);
    await expect.poll(async () => (await server(a, 'lab'))?.nbhub.state, { timeout: 10_000 }).toBe('stopped');
    await expect.poll(async () => (await server(b, 'lab'))?.nbhub.state, { timeout: 10_000 }).toBe('stopped');
    expect(pidsOf(workspaceOf(a, 'lab'))).toEqual([]);
    const stops = (await history(b, 'lab')).filter((e) => e.action === 'stop');
    expect(stops).toEqual([{ action: 'stop', by: 'alice', reason: 'user', time: expect.any(String) as string, message: null, profile: 'echo' }]);
    // Started again through B: A still owns it, so the runtime is A's again (its workspace, its files).
    const again = await b.api('/hub/api/users/alice/servers/lab', { method: 'POST', token: alice, body: {} });
    expect([201, 202]).toContain(again.status);
    await expect.poll(async () => (await through(b, 'lab')).status, { timeout: 10_000 }).toBe(200);
    expect(pidsOf(workspaceOf(a, 'lab'))).toHaveLength(1);
    expect(pidsOf(workspaceOf(b, 'lab'))).toEqual([]);
    expect((await server(a, 'lab'))?.nbhub.owner).toMatch(new RegExp(`${ownerOf(a)}$`));
    expect((await history(a, 'lab')).map((e) => e.action)).toEqual(['start', 'stop', 'start']);
  });

  it('two stops at once through A and B: one wins, the other gets 409 and changes nothing', async () => {
    // Each round starts the server and races two stops; a round where one request saw the other's write
    // (no conflict to report) is run again.
    let conflicts = 0;
    let rounds = 0;
    for (let round = 0; round < 8 && conflicts === 0; round++) {
      rounds++;
      if ((await server(a, 'lab'))?.nbhub.state !== 'running') {
        expect((await a.api('/hub/api/users/alice/servers/lab', { method: 'POST', token: alice, body: {} })).status).toBe(201);
      }
      await expect.poll(async () => (await server(b, 'lab'))?.ready, { timeout: 10_000 }).toBe(true);
      const stopsBefore = (await history(a, 'lab')).filter((e) => e.action === 'stop').length;
      const [viaA, viaB] = await Promise.all([
        a.api('/hub/api/users/alice/servers/lab', { method: 'DELETE', token: admin }),
        b.api('/hub/api/users/alice/servers/lab', { method: 'DELETE', token: alice }),
      ]);
      const statuses = [viaA.status, viaB.status];
      for (const s of statuses) expect([202, 204, 409]).toContain(s);
      await expect.poll(async () => (await server(a, 'lab'))?.nbhub.state, { timeout: 10_000 }).toBe('stopped');
      const stops = (await history(a, 'lab')).filter((e) => e.action === 'stop');
      // Stopped once, whatever the answers.
      expect(stops.length).toBe(stopsBefore + 1);
      if (!statuses.includes(409)) continue;
      conflicts++;
      expect(statuses.filter((s) => s === 409)).toHaveLength(1);
      const lost = viaA.status === 409 ? viaA : viaB;
      expect(((await lost.json()) as { message: string }).message).toMatch(/changed meanwhile/);
      // The record says who won: the loser's request left no trace.
      const winner = viaA.status === 409 ? { by: 'alice', reason: 'user' } : { by: 'admin', reason: 'admin' };
      expect(stops[0]).toMatchObject({ action: 'stop', ...winner });
      expect((await server(b, 'lab'))?.nbhub).toMatchObject({ requested_by: winner.by, stop_reason: winner.reason });
    }
    console.log(`racing stops: a conflict in round ${rounds}`);
    expect(conflicts).toBe(1);
  });

  it('A killed with SIGKILL: B takes its servers over within the lease time; the runtime keeps running, reachable through B, never spawned twice', async () => {
    expect((await a.api('/hub/api/users/alice/servers/lab', { method: 'POST', token: alice, body: {} })).status).toBe(201);
    // And one of B's own, which stays B's.
    expect((await b.api('/hub/api/users/alice/servers/mine', { method: 'POST', token: alice, body: { profile: 'echo' } })).status).toBe(201);
    await expect.poll(async () => (await through(b, 'lab')).status, { timeout: 10_000 }).toBe(200);
    const before = await through(b, 'lab');
    const starts = (await history(b, 'lab')).filter((e) => e.action === 'start').length;

    await a.kill('SIGKILL');
    const killed = Date.now();
    await expect.poll(async () => (await server(b, 'lab'))?.nbhub.owner ?? '', { timeout: LEASE_S * 3000, interval: 200 }).toMatch(new RegExp(`${ownerOf(b)}$`));
    console.log(`takeover of the killed instance's server: ${Date.now() - killed} ms after SIGKILL (lease ${LEASE_S} s, poll 1 s)`);
    // The same process, still running, reached through B; no second one anywhere.
    expect((await server(b, 'lab'))?.nbhub.state).toBe('running');
    expect(await through(b, 'lab')).toEqual(before);
    expect(pidsOf(workspaceOf(a, 'lab'))).toEqual([before.pid]);
    expect(pidsOf(workspaceOf(b, 'lab'))).toEqual([]);
    expect((await history(b, 'lab')).filter((e) => e.action === 'start').length).toBe(starts);
    expect((await server(b, 'mine'))?.nbhub.owner).toMatch(new RegExp(`${ownerOf(b)}$`));

    // B acts on it now: a stop through B stops the adopted runtime.
    const r = await b.api('/hub/api/users/alice/servers/lab', { method: 'DELETE', token: alice });
    expect([202, 204]).toContain(r.status);
    await expect.poll(async () => (await server(b, 'lab'))?.nbhub.state, { timeout: 15_000 }).toBe('stopped');
    expect(pidsOf(workspaceOf(a, 'lab'))).toEqual([]);
  });
});
