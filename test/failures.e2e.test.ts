import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

interface ServerModel {
  ready: boolean;
  stopped: boolean;
  nbhub: { state: string; stop_reason: string | null; exit_status: number | null; log_tail: string | null; message: string | null };
}

const CONFIG = `
profiles:
  crashing:
    command: ["sh", "-c", "echo starting up; echo 'fatal: cannot open /nonexistent/config.yaml' >&2; exit 3"]
  silent:
    command: ["sh", "-c", "echo waiting forever; exec sleep 600"]
    start_timeout_seconds: 2
  dies-later:
    command: ["node", "-e", "require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1'); setTimeout(() => { console.log('out of memory, giving up'); process.exit(137); }, 1500)", "{port}"]
    readiness_path: ""
`;

describe('runtimes that fail', () => {
  let hub: TestHub;
  let token: string;
  const server = async (name: string): Promise<ServerModel | undefined> => {
    const u = (await (await hub.api('/hub/api/users/eve?include_stopped_servers', { token })).json()) as { servers: Record<string, ServerModel> };
    return u.servers[name];
  };
  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG });
    token = hub.addUser('eve');
  });
  afterAll(() => hub?.dispose());

  it('shows a runtime whose command fails as failed, with its exit status and last lines', async () => {
    const r = await hub.api('/hub/api/users/eve/servers/bad', { method: 'POST', token, body: { profile: 'crashing' } });
    expect(r.status).toBe(500);
    expect(((await r.json()) as { message: string }).message).toMatch(/status 3/);
    const s = await server('bad');
    expect(s?.nbhub.state).toBe('failed');
    expect(s?.nbhub.exit_status).toBe(3);
    expect(s?.nbhub.stop_reason).toBe('failed');
    expect(s?.nbhub.log_tail).toContain('fatal: cannot open /nonexistent/config.yaml');
    expect(s?.nbhub.log_tail).toContain('starting up');
  });

  it('stops a runtime that never becomes ready and says which key sets the timeout', async () => {
    const r = await hub.api('/hub/api/users/eve/servers/slow', { method: 'POST', token, body: { profile: 'silent' } });
    expect([202, 500]).toContain(r.status);
    await expect.poll(async () => (await server('slow'))?.nbhub.state, { timeout: 15_000 }).toBe('failed');
    const s = await server('slow');
    expect(s?.nbhub.message).toMatch(/not ready within 2 s/);
    expect(s?.nbhub.message).toContain('profiles.silent.start_timeout_seconds');
    expect(s?.nbhub.log_tail).toContain('waiting forever');
    // and its process is gone
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    expect(ps).not.toMatch(/sh -c echo waiting forever/);
  });

  it('marks a running runtime that dies as failed', async () => {
    expect((await hub.api('/hub/api/users/eve/servers/later', { method: 'POST', token, body: { profile: 'dies-later' } })).status).toBe(201);
    expect((await server('later'))?.ready).toBe(true);
    await expect.poll(async () => (await server('later'))?.nbhub.state, { timeout: 15_000 }).toBe('failed');
    const s = await server('later');
    expect(s?.nbhub.exit_status).toBe(137);
    expect(s?.nbhub.log_tail).toContain('out of memory, giving up');
    // A failed server can be started again, and without a body it keeps its own profile.
    const again = await hub.api('/hub/api/users/eve/servers/later', { method: 'POST', token });
    expect(again.status).toBe(201);
    expect(((await again.json()) as { nbhub: { profile: string } }).nbhub.profile).toBe('dies-later');
  });

  it('refuses an unknown profile without creating anything', async () => {
    const r = await hub.api('/hub/api/users/eve/servers/x', { method: 'POST', token, body: { profile: 'nope' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/Unknown profile "nope"/);
    expect(await server('x')).toBeUndefined();
  });
});
