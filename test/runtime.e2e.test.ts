import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

describe('a runtime through the API and the proxy (real Jupyter)', () => {
  let hub: TestHub;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    hub = await startTestHub();
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
  });
  afterAll(() => hub?.dispose());

  it('starts the default server, reports it ready, and serves it only through the proxy', async () => {
    const r = await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice });
    expect([201, 202]).toContain(r.status);
    const model = (await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { server: string; servers: Record<string, { ready: boolean; nbhub: { state: string } }> };
    expect(model.servers['']?.ready).toBe(true);
    expect(model.servers['']?.nbhub.state).toBe('running');
    expect(model.server).toBe('/user/alice/');
    const status = await hub.api('/user/alice/api/status', { token: alice });
    expect(status.status).toBe(200);
    expect(await status.json()).toHaveProperty('kernels');
  });

  it('runs code in a kernel over the proxied WebSocket with a real Jupyter client', async () => {
    const m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    const kernel = await m.kernels.startNew({ name: 'python3' });
    const first = await execute(kernel, 'x = 6 * 7\nprint(x)');
    expect(first).toEqual({ status: 'ok', output: '42\n' });
    expect((await execute(kernel, 'x + 1')).output).toBe('43');
    await kernel.shutdown();
    m.dispose();
  });

  it('counts running code as activity, and not an open kernel connection or polling', async () => {
    const lastActivity = async () => {
      const model = (await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { servers: Record<string, { last_activity: string }> };
      return Date.parse(model.servers['']?.last_activity ?? '');
    };
    const m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    const kernel = await m.kernels.startNew({ name: 'python3' });
    await execute(kernel, 'pass');
    const before = await lastActivity();
    await new Promise((r) => setTimeout(r, 50));
    // What a tab left open does by itself: reconnect, ask the kernel's info, poll.
    await kernel.reconnect();
    await kernel.requestKernelInfo();
    expect((await hub.api('/user/alice/api/kernels', { token: alice })).status).toBe(200);
    expect(await lastActivity()).toBe(before);
    await execute(kernel, '1 + 1');
    expect(await lastActivity()).toBeGreaterThan(before);
    await kernel.shutdown();
    m.dispose();
  });

  it('keeps a file written through the contents API across stop and start', async () => {
    const put = await hub.api('/user/alice/api/contents/keep.txt', {
      method: 'PUT',
      token: alice,
      body: { type: 'file', format: 'text', content: 'still here' },
    });
    expect(put.status).toBeLessThan(300);
    expect((await hub.api('/hub/api/users/alice/server', { method: 'DELETE', token: alice })).status).toBe(204);
    const stopped = await hub.api('/user/alice/api/contents/keep.txt', { token: alice });
    expect(stopped.status).toBe(503);
    expect(((await stopped.json()) as { message: string }).message).toMatch(/not running/);
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    const got = (await (await hub.api('/user/alice/api/contents/keep.txt', { token: alice })).json()) as { content: string };
    expect(got.content).toBe('still here');
  });

  it("refuses user B on A's server and on A's API routes, and lets an admin in", async () => {
    expect((await hub.api('/user/alice/api/status', { token: bob })).status).toBe(403);
    expect((await hub.api('/user/alice/api/contents/keep.txt', { token: bob })).status).toBe(403);
    expect((await hub.api('/user/alice/api/status')).status).toBe(401);
    for (const [method, path] of [
      ['GET', '/hub/api/users/alice'],
      ['POST', '/hub/api/users/alice/server'],
      ['DELETE', '/hub/api/users/alice/server'],
      ['GET', '/hub/api/users/alice/tokens'],
      ['POST', '/hub/api/users/alice/tokens'],
    ] as const) {
      const r = await hub.api(path, { method, token: bob });
      expect([403, 404], `${method} ${path}`).toContain(r.status);
    }
    expect((await hub.api('/hub/api/users', { token: bob })).status).toBe(403);
    // still running, untouched by bob's attempts
    const model = (await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { servers: Record<string, { ready: boolean }> };
    expect(model.servers['']?.ready).toBe(true);
    const admin = hub.addUser('root', { admin: true });
    expect((await hub.api('/user/alice/api/status', { token: admin })).status).toBe(200);
  });

  it('does not forward the hub credentials upstream', async () => {
    // Jupyter answers /api/me style identity with the runtime token only; a forwarded hub token would 403 there.
    const r = await hub.api('/user/alice/api/contents', { token: alice, headers: { cookie: 'nbhub-session=abc; other=1' } });
    expect(r.status).toBe(200);
  });

  it('starts, lists and removes a named server with its workspace', async () => {
    expect((await hub.api('/hub/api/users/bob/servers/lab', { method: 'POST', token: bob })).status).toBe(201);
    await hub.api('/user/bob/lab/api/contents/n.txt', { method: 'PUT', token: bob, body: { type: 'file', format: 'text', content: 'n' } });
    expect((await hub.api('/user/bob/lab/api/contents/n.txt', { token: bob })).status).toBe(200);
    const del = await hub.api('/hub/api/users/bob/servers/lab', { method: 'DELETE', token: bob, body: { remove: true } });
    expect([202, 204]).toContain(del.status);
    await expect.poll(async () => Object.keys(((await (await hub.api('/hub/api/users/bob?include_stopped_servers', { token: bob })).json()) as { servers: object }).servers)).toEqual([]);
    expect((await hub.api('/hub/api/users/bob/servers/lab', { method: 'POST', token: bob })).status).toBe(201);
    expect((await hub.api('/user/bob/lab/api/contents/n.txt', { token: bob })).status).toBe(404);
  });
});
