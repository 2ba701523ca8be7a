import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CachedIdentityResolver } from '../src/accounts/identity-resolver.js';
import { createToken } from '../src/accounts/tokens.js';
import { addUser } from '../src/accounts/users.js';
import { configSchema } from '../src/config/schema.js';
import { cryptoIds } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { newServerRecord } from '../src/core/models.js';
import { memoryStore, type TestStore } from '../src/store/testing.js';
import { buildApp } from '../src/api/app.js';
import type { ApiContext } from '../src/api/context.js';

/**
 * JupyterHub's leniency (issue 17, item 7): admin scripts send `Content-Type: application/json` on every
 * request, with or without a body. The API in process, the lifecycle replaced by a recorder of what was asked.
 */
const clock = { now: () => Date.now() };
let store: TestStore;
let app: FastifyInstance;
let dir: string;
let root = '';
const asked: Array<{ what: string; user: string; server: string; remove?: boolean; options?: Record<string, unknown> }> = [];

beforeAll(async () => {
  store = await memoryStore();
  dir = mkdtempSync(join(tmpdir(), 'nbhub-body-'));
  await addUser({ store, clock }, 'root', { admin: true });
  await addUser({ store, clock }, 'alice');
  root = (await createToken({ store, clock, ids: cryptoIds }, 'root')).token;
  const running = (user: string, server: string) => ({ ...newServerRecord(user, server, 0), state: 'running' as const, desired: 'running' as const });
  const ctx = {
    config: configSchema.parse({ data_dir: dir }),
    store,
    identity: new CachedIdentityResolver(store, clock),
    clock,
    ids: cryptoIds,
    log: silentLogger,
    profiles: [],
    webDir: null,
    hubId: 'test',
    version: 'test',
    servers: {
      get: () => undefined,
      serversOf: () => [],
      waitFor: (user: string, server: string) => Promise.resolve(asked.at(-1)?.what === 'start' ? running(user, server) : undefined),
    },
    requests: {
      requestStart: (user: string, server: string, o: { userOptions: Record<string, unknown> }) => {
        asked.push({ what: 'start', user, server, options: o.userOptions });
        return Promise.resolve(running(user, server));
      },
      requestStop: (user: string, server: string, o: { remove: boolean }) => {
        asked.push({ what: 'stop', user, server, remove: o.remove });
        return Promise.resolve(undefined);
      },
      removeUser: () => Promise.resolve(),
      assertRenamable: () => undefined,
    },
    culling: { scheduleOf: () => null },
    logs: { removeUser: () => Promise.resolve() },
    clusters: { get: () => undefined, mayUse: () => false },
    services: { list: () => [], get: () => undefined },
  } as unknown as ApiContext;
  app = await buildApp(ctx);
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  asked.length = 0;
});

/** What such a script sends: the JSON type, and no body at all (Content-Length: 0). */
const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload = '') =>
  app.inject({ method, url, payload, headers: { authorization: `token ${root}`, 'content-type': 'application/json' } });

describe('an empty body with Content-Type: application/json', () => {
  it('stops the default server (DELETE …/server), as JupyterHub does', async () => {
    const r = await send('DELETE', '/hub/api/users/alice/server');
    expect(r.statusCode, r.body).toBe(204);
    expect(asked).toEqual([{ what: 'stop', user: 'alice', server: '', remove: false }]);
  });

  it('stops a named server without removing it (DELETE …/servers/{name})', async () => {
    const r = await send('DELETE', '/hub/api/users/alice/servers/lab');
    expect(r.statusCode, r.body).toBe(204);
    expect(asked).toEqual([{ what: 'stop', user: 'alice', server: 'lab', remove: false }]);
  });

  it('starts servers with no options (POST …/server and …/servers/{name})', async () => {
    expect((await send('POST', '/hub/api/users/alice/server')).statusCode).toBe(201);
    expect((await send('POST', '/hub/api/users/alice/servers/lab')).statusCode).toBe(201);
    expect(asked.map((a) => [a.what, a.server, a.options])).toEqual([
      ['start', '', {}],
      ['start', 'lab', {}],
    ]);
  });

  it('creates a user and a token where the body is optional, and revokes and deletes where there is none', async () => {
    expect((await send('POST', '/hub/api/users/bob')).statusCode).toBe(201);
    const made = await send('POST', '/hub/api/users/bob/tokens');
    expect(made.statusCode, made.body).toBe(201);
    const { id } = made.json<{ id: string }>();
    expect((await send('DELETE', `/hub/api/users/bob/tokens/${id}`)).statusCode).toBe(204);
    expect((await send('DELETE', '/hub/api/users/bob')).statusCode).toBe(204);
    expect(await store.users.get('bob')).toBeUndefined();
  });

  it('gets a 400 naming the missing body where one is required, and changes nothing', async () => {
    for (const [method, url] of [
      ['PATCH', '/hub/api/users/alice'],
      ['POST', '/hub/api/users'],
      ['POST', '/hub/api/users/alice/activity'],
    ] as const) {
      const r = await send(method, url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json<{ message: string }>().message, url).toMatch(/^Missing body: .* needs a JSON object$/);
    }
    expect((await store.users.get('alice'))?.admin).toBe(false);
  });

  it('still refuses malformed JSON, naming the problem', async () => {
    const r = await send('DELETE', '/hub/api/users/alice/server', '{"remove": ');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ message: string }>().message).toMatch(/Malformed JSON/);
    expect(asked).toEqual([]);
  });

  it('still reads a body that is there', async () => {
    expect((await send('DELETE', '/hub/api/users/alice/servers/lab', '{"remove": true}')).statusCode).toBe(204);
    expect(asked).toEqual([{ what: 'stop', user: 'alice', server: 'lab', remove: true }]);
  });
});
