import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../core/logger.js';
import { newServerRecord, type ServerRecord } from '../core/models.js';
import type { Spawner } from '../core/spawner.js';
import type { ServerRepo, Store } from '../core/store.js';
import { toLaunchRecord } from './launch-record.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';

const T0 = 1_800_000_000_000;

const storeWith = (records: ServerRecord[]): Store => {
  const rows = new Map(records.map((r) => [`${r.user}/${r.name}`, r]));
  const servers: Pick<ServerRepo, 'listAll' | 'get' | 'write' | 'delete' | 'noteActivity'> = {
    listAll: () => Promise.resolve([...rows.values()]),
    get: (u, n) => Promise.resolve(rows.get(`${u}/${n}`)),
    write: (r) => {
      rows.set(`${r.user}/${r.name}`, r);
      return Promise.resolve(true);
    },
    delete: (u, n) => {
      rows.delete(`${u}/${n}`);
      return Promise.resolve();
    },
    noteActivity: () => Promise.resolve(),
  };
  return { servers, history: { add: () => Promise.resolve(), deleteServer: () => Promise.resolve() } } as unknown as Store;
};

const spawner: Spawner = {
  kind: 'fake',
  start: () => Promise.reject(new Error('no runtimes in this test')),
  poll: () => Promise.resolve({ status: 'running' }),
  stop: () => Promise.resolve(),
  logTail: () => Promise.resolve(''),
  removeWorkspace: () => Promise.resolve(),
  rootPid: () => null,
  onExit: () => undefined,
};

const running = (user: string): ServerRecord => ({
  ...newServerRecord(user, '', T0),
  version: 1,
  owner: 'local',
  desired: 'running',
  state: 'running',
  handle: toLaunchRecord({ handle: { v: 1, kind: 'fake' }, target: 'http://127.0.0.1:1', token: 't', readinessPath: 'api', startTimeoutSeconds: 60, startTimeoutKey: 'x' }),
  target: 'http://127.0.0.1:1',
  started: T0,
  ready: T0,
});

describe('audit events of server requests', () => {
  let life: Lifecycle | undefined;
  afterEach(() => life?.reconciler.shutdown({ stopRuntimes: false }));

  const setup = async (records: ServerRecord[]) => {
    const events: Array<Record<string, unknown>> = [];
    const log: Logger = { ...silentLogger, info: (o: object) => void events.push(o as Record<string, unknown>) };
    const removedLogs: string[] = [];
    life = createLifecycle({
      store: storeWith(records),
      spawner,
      clock: { now: () => T0 },
      log,
      profiles: new Set(['default']),
      defaultProfile: 'default',
      pollSeconds: 3600,
      activityFlushMs: 3_600_000,
      logs: { removeServer: (u, s) => Promise.resolve(void removedLogs.push(`${u}/${s}`)) },
    });
    await life.reconciler.init();
    const of = (name: string) => events.filter((e) => e['event'] === name);
    return { life, of, removedLogs };
  };

  it('server_start says who asked, with the profile', async () => {
    const { life, of } = await setup([]);
    await life.requests.requestStart('erin', 'lab', { by: 'erin', userOptions: {} });
    expect(of('server_start')).toEqual([{ event: 'server_start', user: 'erin', server: 'lab', profile: 'default', by: 'erin' }]);
  });

  it("server_stop says why and by whom; an admin's stop of another's server is marked", async () => {
    const { life, of } = await setup([running('alice'), running('carol')]);
    await life.requests.requestStop('alice', '', { by: 'root', reason: 'admin' });
    await life.requests.requestStop('carol', '', { by: 'culler', reason: 'idle' });
    expect(of('server_stop')).toEqual([
      { event: 'server_stop', user: 'alice', server: '', reason: 'admin', by: 'root', admin_action: true },
      { event: 'server_stop', user: 'carol', server: '', reason: 'idle', by: 'culler' },
    ]);
  });

  it('server_delete is told, and the server’s logs go with it', async () => {
    const { life, of, removedLogs } = await setup([{ ...newServerRecord('dan', 'lab', T0), version: 1, owner: 'local' }]);
    await life.requests.requestStop('dan', 'lab', { by: 'dan', reason: 'user', remove: true });
    expect(of('server_delete')).toEqual([{ event: 'server_delete', user: 'dan', server: 'lab', by: 'dan' }]);
    expect(removedLogs).toEqual(['dan/lab']);
  });
});
