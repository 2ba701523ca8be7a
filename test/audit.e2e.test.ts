import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

/** The stored audit trail (issue 16): events readable through GET /hub/api/audit, in order, with who and when. */
const LIGHT = fileURLToPath(new URL('./helpers/light-runtime.py', import.meta.url));
const CONFIG = `
profiles:
  light:
    display_name: Light
    command: ["python3", "${LIGHT}", "{port}", "{base_url}", "{workspace}"]
`;

interface AuditItem {
  id: number;
  time: string;
  event: string;
  user: string;
  by: string | null;
  data: Record<string, unknown>;
}
interface AuditPage {
  items: AuditItem[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number } | null };
}

let hub: TestHub;
let root: string;
let ann: string;
let began: string;

const auditPage = async (query = ''): Promise<AuditPage> => {
  const r = await hub.api(`/hub/api/audit${query}`, { token: root });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as AuditPage;
};

const serverState = async (): Promise<string | undefined> => {
  const r = await hub.api('/hub/api/users/ann?include_stopped_servers=1', { token: root });
  return ((await r.json()) as { servers: Record<string, { nbhub: { state: string } }> }).servers['']?.nbhub.state;
};
const until = async (what: string, ok: () => Promise<boolean>) => {
  for (const end = Date.now() + 30_000; !(await ok()); ) {
    if (Date.now() > end) throw new Error(`${what}:\n${hub.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  root = hub.addUser('root', { admin: true, password: 'root-password-1' });
  ann = hub.addUser('ann', { password: 'ann-password-1' });
  began = new Date().toISOString();
  // In this order: a failed login, a login, a token created and revoked, ann's server started by her, stopped by root.
  expect((await hub.api('/hub/login', { method: 'POST', body: { username: 'ann', password: 'wrong-password' } })).status).toBe(403);
  const login = await hub.api('/hub/login', { method: 'POST', body: { username: 'ann', password: 'ann-password-1' } });
  expect(login.status).toBe(200);
  const created = await hub.api('/hub/api/users/ann/tokens', { method: 'POST', token: ann, body: { note: 'audit test' } });
  expect(created.status).toBe(201);
  const tokenId = ((await created.json()) as { id: string }).id;
  expect((await hub.api(`/hub/api/users/ann/tokens/${tokenId}`, { method: 'DELETE', token: ann })).status).toBe(204);
  const start = await hub.api('/hub/api/users/ann/server', { method: 'POST', token: ann, body: { profile: 'light' } });
  expect([201, 202]).toContain(start.status);
  await until('server did not start', async () => (await serverState()) === 'running');
  const stop = await hub.api('/hub/api/users/ann/server', { method: 'DELETE', token: root });
  expect([202, 204]).toContain(stop.status);
  await until('server did not stop', async () => (await serverState()) !== 'stopping');
}, 120_000);

afterAll(async () => {
  await hub?.dispose();
});

describe('GET /hub/api/audit', () => {
  it('reads every event in order, newest first, with who and when', async () => {
    const page = await auditPage(`?since=${encodeURIComponent(began)}`);
    const oldestFirst = [...page.items].reverse();
    expect(oldestFirst.map((e) => [e.event, e.user, e.by])).toEqual([
      ['login_failed', 'ann', null],
      ['login', 'ann', null],
      ['token_create', 'ann', 'ann'],
      ['token_revoke', 'ann', 'ann'],
      ['server_start', 'ann', 'ann'],
      ['server_stop', 'ann', 'root'],
    ]);
    expect(oldestFirst[0]!.data).toMatchObject({ via: 'password', reason: expect.any(String) as unknown });
    expect(JSON.stringify(page)).not.toContain('wrong-password');
    expect(oldestFirst[2]!.data.token_id).toBe(oldestFirst[3]!.data.token_id);
    expect(oldestFirst[4]!.data).toMatchObject({ server: '', profile: 'light' });
    expect(oldestFirst[5]!.data).toMatchObject({ server: '', reason: 'admin' });
    const times = oldestFirst.map((e) => Date.parse(e.time));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(began));
    expect(times.at(-1)).toBeLessThanOrEqual(Date.now());
    expect(page._pagination).toEqual({ offset: 0, limit: 200, total: 6, next: null });
  });

  it('filters by user, by who asked, by event (repeatable) and by time; pages', async () => {
    expect((await auditPage('?by=root')).items.map((e) => e.event)).toEqual(['server_stop']);
    expect((await auditPage('?event=login&event=login_failed')).items.map((e) => e.event)).toEqual(['login', 'login_failed']);
    expect((await auditPage('?user=root')).items).toEqual([]);
    const all = (await auditPage(`?user=ann&since=${encodeURIComponent(began)}`)).items;
    const tokenTime = all.find((e) => e.event === 'token_create')!.time;
    const upTo = await auditPage(`?user=ann&until=${encodeURIComponent(tokenTime)}`);
    expect(upTo.items.map((e) => e.event)).toContain('token_create');
    expect(upTo.items.map((e) => e.event)).not.toContain('server_stop');
    const p2 = await auditPage('?user=ann&limit=2&offset=2');
    expect(p2.items.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    expect(p2._pagination).toEqual({ offset: 2, limit: 2, total: 6, next: { offset: 4, limit: 2 } });
  });

  it('refuses bad input naming the parameter, and anyone but an admin', async () => {
    for (const [query, word] of [
      ['?since=yesterday', 'since'],
      ['?event=nope', 'event'],
      ['?limit=0', 'limit'],
      ['?color=red', 'color'],
    ] as const) {
      const r = await hub.api(`/hub/api/audit${query}`, { token: root });
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { message: string }).message).toContain(word);
    }
    const refused = await hub.api('/hub/api/audit', { token: ann });
    expect(refused.status).toBe(403);
    expect((await hub.api('/hub/api/audit')).status).toBe(403);
  });
});
