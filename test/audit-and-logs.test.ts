import { localAuthenticator } from '../src/accounts/authenticators/local.js';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CachedIdentityResolver } from '../src/accounts/identity-resolver.js';
import { createToken } from '../src/accounts/tokens.js';
import { addUser } from '../src/accounts/users.js';
import { configSchema } from '../src/config/schema.js';
import { cryptoIds } from '../src/core/ids.js';
import { silentLogger, type Logger } from '../src/core/logger.js';
import { newServerRecord } from '../src/core/models.js';
import { LocalLogFiles } from '../src/logs/files.js';
import { FileServerLogs } from '../src/logs/server-logs.js';
import { FileServiceLogs } from '../src/logs/service-logs.js';
import { FileClusterLogs } from '../src/logs/cluster-logs.js';
import { mayUseCluster } from '../src/core/clusters.js';
import { memoryStore, type TestStore } from '../src/store/testing.js';
import { buildApp } from '../src/api/app.js';
import type { ApiContext } from '../src/api/context.js';

/** The API in process (no runtimes): audit events of logins, users and tokens, and the logs routes' checks. */
const clock = { now: () => Date.now() };
let store: TestStore;
let app: FastifyInstance;
let dir: string;
let files: LocalLogFiles;
const events: Array<Record<string, unknown>> = [];
const tokens: Record<string, string> = {};
const servers = new Set(['alice/', 'alice/lab']);

beforeAll(async () => {
  store = await memoryStore();
  dir = mkdtempSync(join(tmpdir(), 'nbhub-api-'));
  files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30 });
  const log: Logger = { ...silentLogger, info: (o: object) => void events.push(o as Record<string, unknown>) };
  await addUser({ store, clock }, 'root', { admin: true, password: 'root-password-1' });
  await addUser({ store, clock }, 'alice', { password: 'alice-password-1' });
  await addUser({ store, clock }, 'bob', { password: 'bob-password-1' });
  for (const u of ['root', 'alice', 'bob']) tokens[u] = (await createToken({ store, clock, ids: cryptoIds }, u)).token;
  const ctx = {
    config: configSchema.parse({ data_dir: dir }),
    store,
    identity: new CachedIdentityResolver(store, clock),
    authenticator: localAuthenticator(store),
    clock,
    ids: cryptoIds,
    log,
    profiles: [],
    webDir: null,
    hubId: 'test',
    version: 'test',
    servers: {
      get: (u: string, s: string) => (servers.has(`${u}/${s}`) ? newServerRecord(u, s, 0) : undefined),
      serversOf: () => [],
    },
    requests: { removeUser: () => Promise.resolve(), assertRenamable: () => undefined },
    culling: { scheduleOf: () => null },
    logs: new FileServerLogs({ dataDir: dir, bytesPerFile: 1 << 20, pollMs: 20 }),
    serviceLogs: new FileServiceLogs({ dataDir: dir, bytesPerFile: 1 << 20, pollMs: 20 }),
    clusterLogs: new FileClusterLogs({ dataDir: dir, bytesPerFile: 1 << 20, pollMs: 20 }),
    // One cluster, alice's, shared with nobody (the manager's directory, as the routes see it).
    clusters: {
      get: (name: string) => (name === 'etl' ? { name: 'etl', owner: 'alice', users: [] } : undefined),
      mayUse: mayUseCluster,
    },
    services: {
      list: () => [],
      get: (name: string) =>
        ({ board: { command: ['board'] }, ext: { command: [] } } as Record<string, { command: string[] }>)[name],
    },
  } as unknown as ApiContext;
  app = await buildApp(ctx);
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  events.length = 0;
});

const as = (user: string) => ({ authorization: `token ${tokens[user] ?? ''}` });
const of = (name: string) => events.filter((e) => e['event'] === name);

describe('audit events', () => {
  it('login, login_failed (without the password), logout', async () => {
    const bad = await app.inject({ method: 'POST', url: '/hub/login', payload: { username: 'alice', password: 'wrong-password-9' } });
    expect(bad.statusCode).toBe(403);
    expect(of('login_failed')).toEqual([{ event: 'login_failed', user: 'alice', via: 'password', reason: 'wrong password' }]);
    expect(JSON.stringify(events)).not.toContain('wrong-password-9');
    const ok = await app.inject({ method: 'POST', url: '/hub/login', payload: { username: 'alice', password: 'alice-password-1' } });
    expect(ok.statusCode).toBe(200);
    expect(of('login')).toEqual([{ event: 'login', user: 'alice', via: 'password' }]);
    const cookie = ([] as string[]).concat(ok.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    await app.inject({ method: 'GET', url: '/hub/logout', headers: { cookie } });
    expect(of('logout')).toEqual([{ event: 'logout', user: 'alice' }]);
  });

  it('user_add, user_update (the fields, not the values), user_delete, by the admin', async () => {
    expect((await app.inject({ method: 'POST', url: '/hub/api/users/carol', headers: as('root'), payload: { password: 'carol-password-1' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'PATCH', url: '/hub/api/users/carol', headers: as('root'), payload: { admin: true, password: 'carol-password-2' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/hub/api/users/carol', headers: as('root') })).statusCode).toBe(204);
    expect(of('user_add')).toEqual([{ event: 'user_add', user: 'carol', admin: false, by: 'root', admin_action: true }]);
    expect(of('user_update')).toEqual([{ event: 'user_update', user: 'carol', changed: ['admin', 'password'], by: 'root', admin_action: true }]);
    expect(of('user_delete')).toEqual([{ event: 'user_delete', user: 'carol', by: 'root', admin_action: true }]);
    expect(JSON.stringify(events)).not.toContain('carol-password');
  });

  it('token_create and token_revoke, with the token id and never its secret', async () => {
    const made = await app.inject({ method: 'POST', url: '/hub/api/users/bob/tokens', headers: as('bob'), payload: {} });
    const { id, token } = made.json<{ id: string; token: string }>();
    expect((await app.inject({ method: 'DELETE', url: `/hub/api/users/bob/tokens/${id}`, headers: as('bob') })).statusCode).toBe(204);
    expect(of('token_create')).toEqual([{ event: 'token_create', user: 'bob', token_id: id, by: 'bob' }]);
    expect(of('token_revoke')).toEqual([{ event: 'token_revoke', user: 'bob', token_id: id, by: 'bob' }]);
    expect(JSON.stringify(events)).not.toContain(token);
  });
});

describe('GET …/logs', () => {
  beforeAll(() => {
    appendFileSync(files.newStart({ user: 'alice', server: 'lab', profile: 'default' }), 'hello from lab\nTraceback: boom\n');
  });

  it('answers the owner and admins, refuses others as the servers routes do', async () => {
    const mine = await app.inject({ url: '/hub/api/users/alice/servers/lab/logs', headers: as('alice') });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ stream: 'runtime', lines: ['hello from lab', 'Traceback: boom'], starts: [{ index: 0, profile: 'default', streams: ['runtime'] }] });
    expect((await app.inject({ url: '/hub/api/users/alice/servers/lab/logs', headers: as('root') })).statusCode).toBe(200);
    expect((await app.inject({ url: '/hub/api/users/alice/servers/lab/logs', headers: as('bob') })).statusCode).toBe(404);
    expect((await app.inject({ url: '/hub/api/users/alice/servers/lab/logs' })).statusCode).toBe(403);
  });

  it('searches, answers text/plain when asked, and is empty for a default server never started', async () => {
    const q = await app.inject({ url: '/hub/api/users/alice/servers/lab/logs?q=TRACEBACK', headers: as('alice') });
    expect(q.json<{ lines: string[] }>().lines).toEqual(['Traceback: boom']);
    const text = await app.inject({ url: '/hub/api/users/alice/servers/lab/logs?tail=1', headers: { ...as('alice'), accept: 'text/plain' } });
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toBe('Traceback: boom\n');
    expect((await app.inject({ url: '/hub/api/users/alice/server/logs', headers: as('alice') })).json()).toMatchObject({ starts: [], start: null, lines: [] });
  });

  it('names a bad parameter in a 400 and an unknown server or start in a 404', async () => {
    for (const [query, name] of [
      ['tail=-1', 'tail'],
      ['tail=20000', 'tail'],
      ['stream=hub', 'stream'],
      ['start=first', 'start'],
      ['limit=0&offset=0', 'limit'],
      ['colour=red', 'colour'],
      ['follow=maybe', 'follow'],
    ] as const) {
      const res = await app.inject({ url: `/hub/api/users/alice/servers/lab/logs?${query}`, headers: as('alice') });
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ message: string }>().message, query).toContain(name);
    }
    expect((await app.inject({ url: '/hub/api/users/alice/servers/gone/logs', headers: as('alice') })).statusCode).toBe(404);
    const start = await app.inject({ url: '/hub/api/users/alice/servers/lab/logs?start=5', headers: as('alice') });
    expect(start.statusCode).toBe(404);
    expect(start.json<{ message: string }>().message).toMatch(/^start: /);
  });
});

describe('GET /hub/api/services/{name}/logs', () => {
  beforeAll(() => {
    appendFileSync(files.serviceStart('board'), 'board listening\nsecret-ish detail\n');
  });

  it("answers admins with the service's starts and lines, refuses everybody else", async () => {
    const res = await app.inject({ url: '/hub/api/services/board/logs', headers: as('root') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stream: 'service', lines: ['board listening', 'secret-ish detail'], starts: [{ index: 0, streams: ['service'] }] });
    const q = await app.inject({ url: '/hub/api/services/board/logs?q=LISTENING&stream=service', headers: as('root') });
    expect(q.json<{ lines: string[] }>().lines).toEqual(['board listening']);
    const denied = await app.inject({ url: '/hub/api/services/board/logs', headers: as('alice') });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain('board listening');
    expect((await app.inject({ url: '/hub/api/services/board/logs' })).statusCode).toBe(403);
  });

  it('names what is wrong: an unknown or unmanaged service (404), a stream a service has not (400)', async () => {
    expect((await app.inject({ url: '/hub/api/services/nope/logs', headers: as('root') })).statusCode).toBe(404);
    const ext = await app.inject({ url: '/hub/api/services/ext/logs', headers: as('root') });
    expect(ext.statusCode).toBe(404);
    expect(ext.json<{ message: string }>().message).toMatch(/not managed/);
    const bad = await app.inject({ url: '/hub/api/services/board/logs?stream=runtime', headers: as('root') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('stream');
  });
});

describe('GET /hub/api/clusters/{name}/logs', () => {
  let now = Date.now();
  beforeAll(() => {
    const cfiles = new LocalLogFiles({ dataDir: dir, clock: { now: () => now }, startsKept: 5, bytesPerServer: 1 << 30 });
    const first = cfiles.clusterStart('etl', ['master', 'worker-1', 'worker-2']);
    appendFileSync(first['master'] as string, 'Registering worker 127.0.0.1:1 with 1 cores\n');
    appendFileSync(first['worker-2'] as string, 'Successfully registered with master\n');
    now += 1000;
    appendFileSync(cfiles.clusterStart('etl', ['master', 'worker-1'])['master'] as string, 'second start\n');
  });

  it("answers the cluster's users and admins with each start's processes, refuses others", async () => {
    const res = await app.inject({ url: '/hub/api/clusters/etl/logs', headers: as('alice') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      stream: 'process:master',
      lines: ['second start'],
      starts: [{ index: 0, streams: ['process:master', 'process:worker-1', 'process:worker-2'] }, { index: 1, streams: ['process:master', 'process:worker-1'] }],
    });
    const first = await app.inject({ url: '/hub/api/clusters/etl/logs?start=0&stream=process:worker-2', headers: as('root') });
    expect(first.json<{ lines: string[] }>().lines).toEqual(['Successfully registered with master']);
    const text = await app.inject({ url: '/hub/api/clusters/etl/logs?start=0&q=registering', headers: { ...as('alice'), accept: 'text/plain' } });
    expect(text.body).toBe('Registering worker 127.0.0.1:1 with 1 cores\n');
    const denied = await app.inject({ url: '/hub/api/clusters/etl/logs', headers: as('bob') });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain('second start');
  });

  it('names what is wrong: an unknown cluster or process (404), a stream a cluster has not (400)', async () => {
    expect((await app.inject({ url: '/hub/api/clusters/nope/logs', headers: as('root') })).statusCode).toBe(404);
    const gone = await app.inject({ url: '/hub/api/clusters/etl/logs?stream=process:worker-2', headers: as('root') });
    expect(gone.statusCode).toBe(404);
    expect(gone.json<{ message: string }>().message).toMatch(/process:master, process:worker-1/);
    const bad = await app.inject({ url: '/hub/api/clusters/etl/logs?stream=runtime', headers: as('root') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('stream');
  });
});
