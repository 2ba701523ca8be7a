import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../core/logger.js';
import type { ServerRecord } from '../core/models.js';
import type { Listener, Spawner, SpawnerHandle } from '../core/spawner.js';
import type { ServerEvent, Store } from '../core/store.js';
import { parseLaunchRecord } from './launch-record.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';

/**
 * Starts whose runtime loses a race for its port (issue 13): the reconciler starts it again instead of
 * failing. Every "runtime" of the fake spawner shares one HTTP server that answers 200 to anything, as
 * another process that took a runtime's port might: only the spawner's `listener` tells whose it is, so a
 * probe sent without asking would make a runtime that lost its port look ready.
 */
type Plan = 'ok' | 'lost' | 'taken' | 'crash';

const memoryStore = () => {
  const rows = new Map<string, ServerRecord>();
  const written: ServerRecord[] = [];
  const events: ServerEvent[] = [];
  const servers = {
    listAll: () => Promise.resolve([...rows.values()]),
    get: (u: string, n: string) => Promise.resolve(rows.get(`${u}/${n}`)),
    write: (r: ServerRecord) => {
      if ((rows.get(`${r.user}/${r.name}`)?.version ?? 0) !== r.version - 1) return Promise.resolve(false);
      rows.set(`${r.user}/${r.name}`, r);
      written.push(r);
      return Promise.resolve(true);
    },
    noteActivity: () => Promise.resolve(),
  };
  const history = { add: (e: ServerEvent) => Promise.resolve(void events.push(e)) };
  return { store: { servers, history } as unknown as Store, states: () => written.map((r) => r.state), written, events };
};

const fakeSpawner = (origin: string, plans: Plan[]) => {
  const runtimes: Array<{ plan: Plan; exited: boolean }> = [];
  const exits: Array<(h: SpawnerHandle) => void> = [];
  const of = (h: SpawnerHandle) => runtimes[h['n'] as number] as { plan: Plan; exited: boolean };
  const exit = (h: SpawnerHandle) => {
    of(h).exited = true;
    for (const l of exits) l(h);
  };
  const spawner: Required<Spawner> = {
    kind: 'fake',
    start: (spec) => {
      const n = runtimes.length;
      const plan = plans[n] ?? 'crash';
      runtimes.push({ plan, exited: false });
      const handle = { v: 1 as const, kind: 'fake', n };
      // One that lost its port, or fails on its own, exits while starting.
      if (plan === 'lost' || plan === 'crash') setTimeout(() => exit(handle), 100);
      return Promise.resolve({ handle, target: origin, token: `token-${n}`, readinessPath: `api/${spec.server}`, startTimeoutSeconds: 30, startTimeoutKey: 'profiles.fake.start_timeout_seconds' });
    },
    poll: (h) => Promise.resolve(of(h).exited ? { status: 'exited', exitCode: 1, signal: null, adopted: false } : { status: 'running' }),
    stop: (h) => Promise.resolve(void (of(h).exited = true)),
    logTail: (h) => Promise.resolve(`the last lines of runtime ${String(h['n'])}`),
    removeWorkspace: () => Promise.resolve(),
    rootPid: () => null,
    onExit: (l) => void exits.push(l),
    // 'taken': another process listens at its port; 'ok' listens itself; the others never get to.
    listener: (h): Promise<Listener> => Promise.resolve(of(h).plan === 'taken' ? 'other' : of(h).plan === 'ok' && !of(h).exited ? 'runtime' : 'none'),
    lostRace: (h) => Promise.resolve(of(h).plan === 'lost' ? 'port 40000 was taken by another process' : null),
    portTarget: () => Promise.resolve(null),
  };
  return { spawner, runtimes };
};

describe('Lifecycle: a runtime that lost a race for its port', () => {
  let srv: Server;
  let origin = '';
  const probes: string[] = [];
  beforeAll(async () => {
    srv = createServer((req, res) => {
      probes.push(String(req.headers.authorization));
      res.end('{}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((r) => srv.close(r)));

  let life: Lifecycle | undefined;
  afterEach(async () => {
    await life?.reconciler.shutdown({ stopRuntimes: false });
    life = undefined;
    probes.length = 0;
  });

  const start = async (plans: Plan[], log: Logger = silentLogger) => {
    const { store, states, written, events } = memoryStore();
    const { spawner, runtimes } = fakeSpawner(origin, plans);
    life = createLifecycle({ store, spawner, clock: { now: () => Date.now() }, log, profiles: new Set(['fake']), defaultProfile: 'fake', pollSeconds: 3600 });
    await life.reconciler.init();
    await life.requests.requestStart('ann', 'lab', { userOptions: {}, by: 'ann' });
    const rec = await life.servers.waitFor('ann', 'lab', (r) => r?.state !== 'pending', 10_000);
    return { rec, states: states(), written, events, runtimes };
  };

  it('starts it again, unseen: pending until ready, one start in the history, no failure; the start keeps its time', async () => {
    const logged: unknown[] = [];
    const log = { ...silentLogger, info: (o: object, msg?: string) => void logged.push({ ...o, msg }) };
    const { rec, states, written, events, runtimes } = await start(['lost', 'ok'], log);
    expect(rec?.state).toBe('running');
    expect(runtimes.map((r) => r.plan)).toEqual(['lost', 'ok']);
    expect(parseLaunchRecord(rec?.handle ?? null)?.attempt).toBe(2);
    // Both launches recorded the same start time: the timeout counts from the first.
    const launches = written.filter((r) => r.handle !== null);
    expect(launches.map((r) => parseLaunchRecord(r.handle)?.attempt)).toEqual([1, 2, 2]);
    expect(new Set(launches.map((r) => r.started)).size).toBe(1);
    expect(states).not.toContain('failed');
    expect(events.map((e) => e.action)).toEqual(['start']);
    // Its port answered all along (another process's): never probed until its own runtime listened.
    expect(probes.every((p) => p === 'token token-1')).toBe(true);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'runtime lost a race before it was ready; starting it again', attempt: 2, lost: 'port 40000 was taken by another process' }));
  });

  it('stops one whose address another process listens at before it even exits, and starts it again there too', async () => {
    const { rec, states, events, runtimes } = await start(['taken', 'ok']);
    expect(rec?.state).toBe('running');
    expect(runtimes.map((r) => r.exited)).toEqual([true, false]);
    expect(states).not.toContain('failed');
    expect(events.map((e) => e.action)).toEqual(['start']);
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.every((p) => p === 'token token-1')).toBe(true);
  });

  it('gives up after three attempts, saying so', async () => {
    const { rec, events, runtimes } = await start(['lost', 'taken', 'lost', 'ok']);
    expect(runtimes).toHaveLength(3);
    expect(rec?.state).toBe('failed');
    expect(rec?.message).toBe('The runtime exited with status 1 before it was ready. It lost a race on each of 3 attempts to start it (the last: port 40000 was taken by another process).');
    expect(rec?.logTail).toBe('the last lines of runtime 2');
    expect(events.map((e) => [e.action, e.reason])).toEqual([['start', null], ['stop', 'failed']]);
    expect(probes).toEqual([]);
  });

  it('fails a runtime that failed on its own at once', async () => {
    const { rec, runtimes } = await start(['crash', 'ok']);
    expect(runtimes).toHaveLength(1);
    expect(rec?.state).toBe('failed');
    expect(rec?.message).toBe('The runtime exited with status 1 before it was ready.');
  });
});
