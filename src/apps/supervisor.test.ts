import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { appSchema } from '../config/app-schema.js';
import type { AppLaunchSpec, AppRuntime } from '../core/apps.js';
import { systemClock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { PollResult, SpawnerHandle } from '../core/spawner.js';
import { AppSupervisor } from './supervisor.js';

/** Apps as in-process HTTP servers: what the supervisor sees of a spawner, without processes. */
const fakeSpawner = () => {
  const servers = new Map<number, Server>();
  const launches: AppLaunchSpec[] = [];
  let next = 1;
  const exitListeners: Array<(h: SpawnerHandle) => void> = [];
  const idOf = (h: SpawnerHandle) => h['id'] as number;
  return {
    launches,
    servers,
    kill(id: number) {
      servers.get(id)?.close();
      servers.delete(id);
      for (const l of exitListeners) l({ v: 1, kind: 'fake', id });
    },
    launcher: {
      startApp: async (_rt: SpawnerHandle, spec: AppLaunchSpec) => {
        launches.push(spec);
        const id = next++;
        const srv = createServer((_q, s) => s.end(`app ${spec.app}`));
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
        servers.set(id, srv);
        return { handle: { v: 1 as const, kind: 'fake', id }, target: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
      },
      findApp: async () => null,
    },
    processes: {
      poll: async (h: SpawnerHandle): Promise<PollResult> => (servers.has(idOf(h)) ? { status: 'running' } : { status: 'exited', exitCode: null, signal: 'SIGKILL', adopted: false }),
      stop: async (h: SpawnerHandle) => {
        servers.get(idOf(h))?.close();
        servers.delete(idOf(h));
      },
      logTail: async () => 'last words',
      onExit: (l: (h: SpawnerHandle) => void) => void exitListeners.push(l),
    },
  };
};

const catalog = new Map([['lab', { board: appSchema.parse({ command: ['board', '{port}'], title: 'Board' }), notes: appSchema.parse({ command: ['notes'] }) }]]);
const visit = { intent: 'visit' } as const;
const background = { intent: 'background' } as const;
let supervisor: AppSupervisor | undefined;
afterEach(() => supervisor?.close());

describe('AppSupervisor', () => {
  it('starts an app once for concurrent asks, lists it, and lets it go when its runtime stops', async () => {
    const f = fakeSpawner();
    let runtime: AppRuntime | undefined = { profile: 'lab', handle: { v: 1, kind: 'fake', id: 0 }, started: 1 };
    supervisor = new AppSupervisor({ runtimes: { runtimeOf: () => runtime }, launcher: f.launcher, processes: f.processes, catalog, clock: systemClock, log: silentLogger, pollMs: 60_000 });
    // A page's own traffic starts an app nobody stopped, as a visit does.
    const [a, b] = await Promise.all([supervisor.ensure('ann', '', 'board', visit), supervisor.ensure('ann', '', 'board', background)]);
    expect(a).toEqual(b);
    expect(a.stripPrefix).toBe(true);
    expect(f.launches).toHaveLength(1);
    expect(f.launches[0]).toMatchObject({ user: 'ann', server: '', app: 'board', profile: 'lab', baseUrl: '/user/ann/apps/board/' });
    expect(await (await fetch(a.target)).text()).toBe('app board');
    const list = await supervisor.list('ann', '');
    expect(list?.map((x) => [x.name, x.title, x.state, x.url])).toEqual([
      ['board', 'Board', 'running', '/user/ann/apps/board/'],
      ['notes', 'notes', 'stopped', '/user/ann/apps/notes/'],
    ]);

    await expect(supervisor.ensure('ann', '', 'nope', visit)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining("No app named 'nope'") });
    runtime = undefined;
    expect(await supervisor.list('ann', '')).toBeUndefined();
    await expect(supervisor.ensure('ann', '', 'board', visit)).rejects.toMatchObject({ code: 'CONFLICT', message: "ann's server is not running" });
    // Started again, the runtime is another one: its apps start afresh.
    runtime = { profile: 'lab', handle: { v: 1, kind: 'fake', id: 0 }, started: 2 };
    expect((await supervisor.list('ann', ''))?.[0]?.state).toBe('stopped');
  });

  it('keeps an app stopped on purpose against background traffic until a visit; a new start of the runtime forgets the stop', async () => {
    const f = fakeSpawner();
    let runtime: AppRuntime = { profile: 'lab', handle: { v: 1, kind: 'fake', id: 0 }, started: 1 };
    supervisor = new AppSupervisor({ runtimes: { runtimeOf: () => runtime }, launcher: f.launcher, processes: f.processes, catalog, clock: systemClock, log: silentLogger, pollMs: 60_000 });
    await supervisor.ensure('ann', '', 'board', background);
    await supervisor.stop('ann', '', 'board');
    expect(f.servers.size).toBe(0);

    const refused = await supervisor.ensure('ann', '', 'board', background).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE' });
    expect((refused as Error).message).toContain('was stopped on purpose');
    expect((refused as Error).message).toContain('open /user/ann/apps/board/ in the browser');
    expect((refused as Error).message).toContain('POST /hub/api/users/ann/server/apps/board');
    expect(f.launches).toHaveLength(1);
    expect((await supervisor.list('ann', ''))?.[0]).toMatchObject({ state: 'stopped', message: expect.stringContaining('opening it or Start does') });

    // A person opens it again: it starts, and the stop is over (its page's traffic is served again).
    await supervisor.ensure('ann', '', 'board', visit);
    expect(f.launches).toHaveLength(2);
    expect((await supervisor.list('ann', ''))?.[0]).toMatchObject({ state: 'running', message: null });
    await supervisor.ensure('ann', '', 'board', background);
    expect(f.launches).toHaveLength(2);

    // Dying by itself is no stop: the app is started again by itself.
    await supervisor.ensure('ann', '', 'notes', background);
    f.kill(3);
    await expect.poll(async () => (await supervisor?.list('ann', ''))?.[1]).toMatchObject({ state: 'running', restarts: 1 });

    // Stopped again, then the runtime is started again: its apps start afresh, on any request.
    await supervisor.stop('ann', '', 'board');
    runtime = { ...runtime, started: 2 };
    await supervisor.ensure('ann', '', 'board', background);
    expect((await supervisor.list('ann', ''))?.[0]?.state).toBe('running');
  });

  it('starts an app that died again, and fails one that never answers with the key to raise', async () => {
    const f = fakeSpawner();
    const runtime: AppRuntime = { profile: 'lab', handle: { v: 1, kind: 'fake', id: 0 }, started: 1 };
    supervisor = new AppSupervisor({ runtimes: { runtimeOf: () => runtime }, launcher: f.launcher, processes: f.processes, catalog, clock: systemClock, log: silentLogger, pollMs: 60_000 });
    const first = await supervisor.ensure('ann', '', 'board', visit);
    f.kill(1);
    await expect.poll(async () => (await supervisor?.list('ann', ''))?.[0]?.restarts).toBe(1);
    await expect.poll(async () => (await supervisor?.list('ann', ''))?.[0]?.state).toBe('running');
    const second = await supervisor.ensure('ann', '', 'board', visit);
    expect(second.target).not.toBe(first.target);
    expect(await (await fetch(second.target)).text()).toBe('app board');

    // An app whose readiness path never answers 2xx/3xx.
    const slow = new Map([['lab', { board: appSchema.parse({ command: ['x'], readiness_path: '/never', timeout_seconds: 1 }) }]]);
    const f2 = fakeSpawner();
    f2.launcher.startApp = async () => {
      const srv = createServer((_q, s) => s.writeHead(404).end());
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      f2.servers.set(1, srv);
      return { handle: { v: 1 as const, kind: 'fake', id: 1 }, target: `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
    };
    const s2 = new AppSupervisor({ runtimes: { runtimeOf: () => runtime }, launcher: f2.launcher, processes: f2.processes, catalog: slow, clock: systemClock, log: silentLogger, pollMs: 60_000 });
    const err = await s2.ensure('ann', '', 'board', visit).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect((err as Error).message).toContain('not ready within 1 s');
    expect((err as Error).message).toContain('profiles.lab.apps.board.timeout_seconds');
    expect((err as Error).message).toContain('last words');
    expect(f2.servers.size).toBe(0);
    expect((await s2.list('ann', ''))?.[0]).toMatchObject({ state: 'failed' });
    await s2.close();
  });
});
