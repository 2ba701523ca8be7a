import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

// A runtime that answers anything; `gpu` is for members of the group physics only. audrey is an auditor.
const RUNTIME = `["node", "-e", "require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1')", "{port}"]`;
const CONFIG = `
profiles:
  echo:
    command: ${RUNTIME}
    readiness_path: ""
  gpu:
    command: ${RUNTIME}
    readiness_path: ""
    groups: [physics]
spawner:
  default_profile: echo
auth:
  roles:
    - name: auditor
      users: [audrey]
`;

describe('roles and scopes (issue 16)', () => {
  let hub: TestHub;
  let admin: string;
  let frank: string;
  let grace: string;
  let audrey: string;
  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG });
    admin = hub.addUser('admin', { admin: true });
    frank = hub.addUser('frank');
    grace = hub.addUser('grace');
    audrey = hub.addUser('audrey');
  });
  afterAll(() => hub?.dispose());

  const body = async (r: Response) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> & { message?: string } });
  const tokenFor = async (user: string, by: string, ask: Record<string, unknown>) => {
    const r = await body(await hub.api(`/hub/api/users/${user}/tokens`, { method: 'POST', token: by, body: ask }));
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json as { token: string; scopes: string[]; expires_at: string | null };
  };
  const names = async (r: Response) => ((await r.json()) as Array<{ name: string }>).map((u) => u.name).sort();

  it("GET /hub/api/user shows the caller's scopes: a user's are their own, an admin's everyone's", async () => {
    const me = (await body(await hub.api('/hub/api/user', { token: frank }))).json['scopes'] as string[];
    expect(me).toContain('servers!user=frank');
    expect(me).toContain('access:servers!user=frank');
    expect(me).not.toContain('read:users');
    const root = (await body(await hub.api('/hub/api/user', { token: admin }))).json['scopes'] as string[];
    expect(root).toEqual(expect.arrayContaining(['admin:users', 'admin:servers', 'access:servers', 'read:users']));
  });

  it('a token with read:users lists users but cannot start a server (403 naming the scope)', async () => {
    const t = await tokenFor('admin', admin, { scopes: ['read:users', 'list:users'], note: 'reader' });
    expect(t.scopes).toEqual(['read:users', 'list:users']);
    expect((await body(await hub.api('/hub/api/user', { token: t.token }))).json['scopes']).toEqual(expect.arrayContaining(['read:users', 'list:users']));
    const list = await hub.api('/hub/api/users', { token: t.token });
    expect(list.status).toBe(200);
    expect(await names(list)).toEqual(['admin', 'audrey', 'frank', 'grace']);
    const start = await body(await hub.api('/hub/api/users/frank/server', { method: 'POST', token: t.token }));
    expect(start.status).toBe(403);
    expect(start.json.message).toContain('servers');
    expect((await hub.api('/hub/api/users/carl', { method: 'POST', token: t.token })).status).toBe(403);
  });

  it('refuses a token asking for more than its owner holds, or for unknown scopes, naming them', async () => {
    const beyond = await body(await hub.api('/hub/api/users/frank/tokens', { method: 'POST', token: frank, body: { scopes: ['admin:users', 'read:users!user=frank'] } }));
    expect(beyond.status).toBe(403);
    expect(beyond.json.message).toContain('admin:users');
    const unknown = await body(await hub.api('/hub/api/users/frank/tokens', { method: 'POST', token: frank, body: { scopes: ['read:userz'] } }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('read:userz');
    // A token of frank's own scopes works for what it names and nothing else.
    const t = await tokenFor('frank', frank, { scopes: ['read:users!user=frank'] });
    expect((await hub.api('/hub/api/users/frank', { token: t.token })).status).toBe(200);
    expect((await hub.api('/hub/api/users/frank/server', { method: 'POST', token: t.token })).status).toBe(403);
  });

  it('refuses an expired token', async () => {
    const t = await tokenFor('frank', frank, { expires_in: 1, note: 'short' });
    expect(t.expires_at).not.toBeNull();
    expect((await hub.api('/hub/api/user', { token: t.token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await hub.api('/hub/api/user', { token: t.token })).status).toBe(403);
  });

  it("manages groups through JupyterHub's API, refusing unknown users by name", async () => {
    expect((await hub.api('/hub/api/groups', { method: 'POST', token: admin, body: { groups: ['physics', 'chemistry'] } })).status).toBe(201);
    expect((await hub.api('/hub/api/groups', { method: 'POST', token: admin, body: { groups: ['physics'] } })).status).toBe(409);
    expect((await hub.api('/hub/api/groups', { method: 'POST', token: frank, body: { groups: ['mine'] } })).status).toBe(403);
    const unknown = await body(await hub.api('/hub/api/groups/physics/users', { method: 'POST', token: admin, body: { users: ['frank', 'nobody'] } }));
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('nobody');
    expect((await body(await hub.api('/hub/api/groups/physics', { token: admin }))).json['users']).toEqual([]);
    const added = await body(await hub.api('/hub/api/groups/physics/users', { method: 'POST', token: admin, body: { users: ['frank'] } }));
    expect(added.json).toMatchObject({ kind: 'group', name: 'physics', users: ['frank'] });
    expect((await hub.api('/hub/api/groups/physics/properties', { method: 'PUT', token: admin, body: { lab: 'B12' } })).status).toBe(200);
    expect((await body(await hub.api('/hub/api/groups/physics', { token: admin }))).json['properties']).toEqual({ lab: 'B12' });
    expect((await body(await hub.api('/hub/api/users/frank', { token: admin }))).json['groups']).toEqual(['physics']);
    expect((await hub.api('/hub/api/groups/physics', { token: frank })).status).toBe(404);
    expect((await hub.api('/hub/api/groups/chemistry', { method: 'DELETE', token: admin })).status).toBe(204);
    expect(await names(await hub.api('/hub/api/groups', { token: admin }))).toEqual(['physics']);
  });

  it('lists only the group a !group= filter names', async () => {
    const t = await tokenFor('admin', admin, { scopes: ['list:users!group=physics', 'read:users!group=physics'] });
    expect(await names(await hub.api('/hub/api/users', { token: t.token }))).toEqual(['frank']);
    expect((await hub.api('/hub/api/users/frank', { token: t.token })).status).toBe(200);
    expect((await hub.api('/hub/api/users/grace', { token: t.token })).status).toBe(404);
  });

  it("refuses a group's profile to a user outside the group, naming it, and starts it for a member", async () => {
    const refused = await body(await hub.api('/hub/api/users/grace/server', { method: 'POST', token: grace, body: { profile: 'gpu' } }));
    expect(refused.status).toBe(403);
    expect(refused.json.message).toContain('gpu');
    const profiles = async (t: string) => ((await (await hub.api('/hub/api/profiles', { token: t })).json()) as { profiles: Array<{ name: string }> }).profiles.map((p) => p.name).sort();
    expect(await profiles(grace)).not.toContain('gpu');
    expect(await profiles(grace)).toContain('echo');
    expect(await profiles(frank)).toEqual(expect.arrayContaining(['echo', 'gpu']));
    const started = await hub.api('/hub/api/users/frank/server', { method: 'POST', token: frank, body: { profile: 'gpu' } });
    expect([201, 202]).toContain(started.status);
  });

  it("lets an auditor read everyone's usage and executions, and nothing else: no stop, delete or token for others", async () => {
    expect((await hub.api('/hub/api/usage?user=frank', { token: audrey })).status).toBe(200);
    expect((await hub.api('/hub/api/usage', { token: audrey })).status).toBe(200);
    expect((await hub.api('/hub/api/executions?user=frank', { token: audrey })).status).toBe(200);
    expect(await names(await hub.api('/hub/api/users', { token: audrey }))).toEqual(['admin', 'audrey', 'frank', 'grace']);
    for (const [method, path] of [
      ['DELETE', '/hub/api/users/frank/server'],
      ['DELETE', '/hub/api/users/frank'],
      ['POST', '/hub/api/users/frank/tokens'],
      ['POST', '/hub/api/users/frank/server'],
    ] as const) {
      const r = await body(await hub.api(path, { method, token: audrey }));
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.message).toMatch(/Missing scope/);
    }
    const roles = (await (await hub.api('/hub/api/roles', { token: audrey })).json()) as Array<{ name: string; users: string[] }>;
    expect(roles.find((r) => r.name === 'auditor')?.users).toEqual(['audrey']);
    expect((await hub.api('/hub/api/roles', { token: grace })).status).toBe(403);
    // Plain users still see neither the list nor one another.
    expect((await hub.api('/hub/api/users', { token: grace })).status).toBe(403);
    expect((await hub.api('/hub/api/users/frank', { token: grace })).status).toBe(404);
    expect((await hub.api('/hub/api/usage?user=frank', { token: grace })).status).toBe(403);
  });
});
