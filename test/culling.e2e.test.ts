/**
 * Culling with real Jupyter servers (issue 5): timeout 20 s, judged every 5 s, activity gathered every 2 s.
 * The scenarios run concurrently on one hub, each on its own server of alice's, so the file takes about as
 * long as its longest scenario (a 60 s cell, then the idle window after it). Windows are checked on when
 * the stop was decided (nbhub.stop_requested_at); stopped_at comes after the runtime's grace period.
 * Tolerances are for a loaded 2-core machine: they allow lateness, never an early stop.
 */
import type { Kernel } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const CONFIG = `
monitoring:
  interval_seconds: 2
culling:
  idle_timeout_seconds: 20
  every_seconds: 5
  warn_seconds: 10
profiles:
  aged:
    culling:
      max_age_seconds: 25
  kernels:
    culling:
      idle_timeout_seconds: 300
      kernel_idle_timeout_seconds: 10
`;
const TIMEOUT_S = 20;
const CHECK_S = 5;
const INTERVAL_S = 2;
/** A stop is decided within two check periods of its deadline (the window the issue asks for). */
const LATE_S = 2 * CHECK_S;
/** lifecycle.stop_grace_seconds (5 s), plus slack for a loaded machine: between the decision and stopped_at. */
const GRACE_S = 5 + 3;
/** How current last_activity is while a runtime is busy: a look every interval, plus a late look and clock slack. */
const FRESH_S = 2 * INTERVAL_S + 2;

interface ServerModel {
  started: string | null;
  last_activity: string | null;
  nbhub: {
    state: string;
    stop_reason: string | null;
    stopped_at: string | null;
    stop_requested_at: string | null;
    requested_by: string | null;
    cull_at: string | null;
    cull_reason: string | null;
  };
}
interface HistoryEvent {
  time: string;
  action: string;
  reason: string | null;
  by: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const time = (v: string | number | null) => (typeof v === 'number' ? v : Date.parse(String(v)));
const secondsBetween = (from: string | number | null, to: string | number | null) => (time(to) - time(from)) / 1000;
const ms = (iso: string | null) => Date.parse(String(iso));

let hub: TestHub;
let alice: string;
let bob: string;
const clients: Array<ReturnType<typeof managers>> = [];

const apiPath = (server: string) => (server === '' ? '/hub/api/users/alice/server' : `/hub/api/users/alice/servers/${server}`);
const serverPath = (server: string) => (server === '' ? '/user/alice/' : `/user/alice/${server}/`);

const model = async (server: string): Promise<ServerModel> => {
  const u = (await (await hub.api('/hub/api/users/alice?include_stopped_servers', { token: alice })).json()) as { servers: Record<string, ServerModel> };
  const s = u.servers[server];
  if (!s) throw new Error(`no server '${server}'`);
  return s;
};

const start = async (expect: ExpectStatic, server: string, profile?: string) => {
  const r = await hub.api(apiPath(server), { method: 'POST', token: alice, ...(profile ? { body: { profile } } : {}) });
  expect([201, 202], await r.clone().text()).toContain(r.status);
  await expect.poll(async () => (await model(server)).nbhub.state, { timeout: 60_000, interval: 250 }).toBe('running');
};

/** Polls the server's state every second until it is no longer running; returns its model then. */
const stoppedModel = async (expect: ExpectStatic, server: string, withinMs: number): Promise<ServerModel> => {
  await expect.poll(async () => (await model(server)).nbhub.state, { timeout: withinMs, interval: 1000 }).toBe('stopped');
  return model(server);
};

/**
 * The stop was decided between `minS` and `maxS` after `from` (stop_requested_at), and done within the
 * grace period after that (stopped_at).
 */
const expectStoppedWithin = (expect: ExpectStatic, s: ServerModel, from: string | number | null, minS: number, maxS: number) => {
  const decided = secondsBetween(from, s.nbhub.stop_requested_at);
  expect(decided).toBeGreaterThanOrEqual(minS);
  expect(decided).toBeLessThanOrEqual(maxS);
  const done = secondsBetween(s.nbhub.stop_requested_at, s.nbhub.stopped_at);
  expect(done).toBeGreaterThanOrEqual(0);
  expect(done).toBeLessThanOrEqual(GRACE_S);
};

const kernelOn = async (server: string): Promise<Kernel.IKernelConnection> => {
  const m = managers(jupyterSettings(hub.url, serverPath(server), alice));
  clients.push(m);
  return m.kernels.startNew({ name: 'python3' });
};

beforeAll(async () => {
  // Five hours behind UTC (a POSIX TZ string): times without an offset must still be read as UTC.
  hub = await startTestHub({ config: CONFIG, env: { TZ: 'ABC+5' } });
  alice = hub.addUser('alice');
  bob = hub.addUser('bob');
});
afterAll(async () => {
  for (const m of clients) m.dispose();
  await hub?.dispose();
});

describe.concurrent('culling with real Jupyter servers', { timeout: 180_000 }, () => {
  it('stops an idle server 20-30 s after its last activity with reason idle; the next start has the same files; the history says who did what', async ({ expect }) => {
    await start(expect, '');
    const before = Date.now();
    const put = await hub.api('/user/alice/api/contents/keep.txt', { method: 'PUT', token: alice, body: { type: 'file', format: 'text', content: 'still here' } });
    expect(put.status).toBeLessThan(300);
    const after = Date.now();
    const running = await model('');
    // The write is the last activity, reported at once, with when the culler will stop the server.
    expect(ms(running.last_activity)).toBeGreaterThanOrEqual(before - 5);
    expect(ms(running.last_activity)).toBeLessThanOrEqual(after + 5);
    expect(running.nbhub.cull_reason).toBe('idle');
    expect(secondsBetween(running.last_activity, running.nbhub.cull_at)).toBe(TIMEOUT_S);

    const stopped = await stoppedModel(expect, '', 45_000);
    expect(stopped.nbhub.stop_reason).toBe('idle');
    expect(stopped.nbhub.requested_by).toBe('culler');
    expect(stopped.nbhub.cull_at).toBeNull();
    expectStoppedWithin(expect, stopped, running.last_activity, TIMEOUT_S, TIMEOUT_S + LATE_S);

    await start(expect, '');
    const got = (await (await hub.api('/user/alice/api/contents/keep.txt', { token: alice })).json()) as { content: string };
    expect(got.content).toBe('still here');

    const history = (await (await hub.api('/hub/api/users/alice/server/history', { token: alice })).json()) as { events: HistoryEvent[] };
    expect(history.events.map((e) => [e.action, e.reason, e.by])).toEqual([
      ['start', null, 'alice'],
      ['stop', 'idle', 'culler'],
      ['start', null, 'alice'],
    ]);
    expect(history.events[1]?.time).toBe(stopped.nbhub.stopped_at);
    // A new start forgets the last stop request.
    expect((await model('')).nbhub.stop_requested_at).toBeNull();
  });

  it('does not stop a server running a silent 60 s CPU-bound cell', async ({ expect }) => {
    await start(expect, 'cpu');
    const kernel = await kernelOn('cpu');
    const r = await execute(kernel, 'import time\nt = time.time()\nwhile time.time() - t < 60: pass');
    expect(r.status).toBe('ok');
    const s = await model('cpu');
    expect(s.nbhub.state).toBe('running');
    expect(secondsBetween(s.last_activity, new Date().toISOString())).toBeLessThanOrEqual(FRESH_S);

    // "Keep it running" sends no time (an nbhub extension): the hub stamps its own.
    await sleep(FRESH_S * 1000 + 1000);
    const before = Date.now();
    const kept = await hub.api('/hub/api/users/alice/activity', { method: 'POST', token: alice, body: { servers: { cpu: {} } } });
    expect(kept.status).toBe(200);
    const after = Date.now();
    const stamped = ms((await model('cpu')).last_activity);
    expect(stamped).toBeGreaterThanOrEqual(before - 5);
    expect(stamped).toBeLessThanOrEqual(after + 5);
  });

  it('does not stop a server whose kernel sleeps 60 s in a cell, reports it active meanwhile, and stops it 20-30 s after the cell', async ({ expect }) => {
    await start(expect, 'sleep');
    const kernel = await kernelOn('sleep');
    const cell = execute(kernel, 'import time\ntime.sleep(60)');
    await sleep(40_000);
    // last_activity is current to within about a monitoring interval (2 s here) while the kernel is busy.
    const during = await model('sleep');
    expect(during.nbhub.state).toBe('running');
    expect(secondsBetween(during.last_activity, new Date().toISOString())).toBeLessThanOrEqual(FRESH_S);
    const user = (await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { last_activity: string };
    expect(secondsBetween(user.last_activity, new Date().toISOString())).toBeLessThanOrEqual(FRESH_S);
    expect((await cell).status).toBe('ok');
    const ended = Date.now();
    const stopped = await stoppedModel(expect, 'sleep', 45_000);
    expect(stopped.nbhub.stop_reason).toBe('idle');
    // The cell ended a little before its reply reached this client.
    expectStoppedWithin(expect, stopped, ended, TIMEOUT_S - 0.5, TIMEOUT_S + LATE_S);
  });

  it('stops a server whose only traffic is a polling client with a kernel connected', async ({ expect }) => {
    await start(expect, 'poll');
    const kernel = await kernelOn('poll');
    expect((await execute(kernel, 'x = 1')).status).toBe('ok');
    await sleep(3000);
    const last = (await model('poll')).last_activity;
    let polls = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        for (const p of ['api/kernels', 'api/sessions', 'api/contents', 'api/status']) {
          const r = await hub.api(`/user/alice/poll/${p}`, { token: alice });
          if (r.status === 200) polls++;
        }
        await sleep(2000);
      }
    })();
    const stopped = await stoppedModel(expect, 'poll', 45_000);
    polling = false;
    await poller;
    expect(polls).toBeGreaterThan(20);
    expect(stopped.nbhub.stop_reason).toBe('idle');
    expectStoppedWithin(expect, stopped, last, TIMEOUT_S, TIMEOUT_S + LATE_S);
  });

  it('stops a busy server at its maximum age with reason max_age (profiles.aged.culling.max_age_seconds: 25)', async ({ expect }) => {
    await start(expect, 'aged', 'aged');
    const kernel = await kernelOn('aged');
    const forever = execute(kernel, 'import time\ntime.sleep(600)').catch(() => ({ status: 'cut off' }));
    // Once busy for a while, the maximum age is what comes first.
    await expect.poll(async () => (await model('aged')).nbhub.cull_reason, { timeout: 15_000, interval: 500 }).toBe('max_age');
    const running = await model('aged');
    expect(secondsBetween(running.started, running.nbhub.cull_at)).toBe(25);
    const stopped = await stoppedModel(expect, 'aged', 45_000);
    expect(stopped.nbhub.stop_reason).toBe('max_age');
    expectStoppedWithin(expect, stopped, running.started, 25, 25 + LATE_S);
    kernel.dispose();
    await Promise.race([forever, sleep(1000)]);
  });

  it('kernel culling shuts an idle kernel down and leaves the server and a busy kernel running (profiles.kernels: 10 s)', async ({ expect }) => {
    await start(expect, 'kc', 'kernels');
    const asked = Date.now();
    const created = await hub.api('/user/alice/kc/api/kernels', { method: 'POST', token: alice, body: { name: 'python3' } });
    expect(created.status).toBe(201);
    const idleId = ((await created.json()) as { id: string }).id;
    const busy = await kernelOn('kc');
    // The cell leaves a file at its end: its printed output could be lost if the client's WebSocket
    // reconnects under load, the file cannot.
    const cell = execute(busy, 'import time\ntime.sleep(30)\nopen("survived.txt", "w").write("yes")');
    const ids = async () => ((await (await hub.api('/user/alice/kc/api/kernels', { token: alice })).json()) as Array<{ id: string }>).map((k) => k.id);
    await expect.poll(ids, { timeout: 30_000, interval: 1000 }).not.toContain(idleId);
    // Not before its own timeout: 10 s from its start, which came after it was asked for.
    expect((Date.now() - asked) / 1000).toBeGreaterThanOrEqual(10 - 0.5);
    await cell;
    const file = await hub.api('/user/alice/kc/api/contents/survived.txt', { token: alice });
    expect(file.status).toBe(200);
    expect(await ids()).toContain(busy.id);
    expect((await model('kc')).nbhub.state).toBe('running');
  });

  it('answers bad history and activity requests with 4xx like the rest of the API', async ({ expect }) => {
    expect((await hub.api('/hub/api/users/alice/server/history', { token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/users/alice/server/history')).status).toBe(403);
    expect((await hub.api('/hub/api/users/alice/servers/nothing-here/history', { token: alice })).status).toBe(404);
    expect((await hub.api('/hub/api/users/nobody/server/history', { token: alice })).status).toBe(404);
    for (const [q, name] of [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=many', 'limit'],
      ['colour=red', 'colour'],
    ]) {
      const r = await hub.api(`/hub/api/users/alice/server/history?${q}`, { token: alice });
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { message: string }).message, q).toContain(name);
    }
    const admin = hub.addUser('root', { admin: true });
    expect((await hub.api('/hub/api/users/alice/server/history?limit=1', { token: admin })).status).toBe(200);

    // JupyterHub's activity report: bad bodies are 400s naming what is wrong, and change nothing.
    const activity = (body: unknown, token = alice) => hub.api('/hub/api/users/alice/activity', { method: 'POST', token, body });
    for (const [body, says] of [
      [{}, 'at least one of'],
      [{ last_activity: 'yesterday' }, 'last_activity: not a valid timestamp'],
      [{ servers: { nothing: { last_activity: new Date().toISOString() } } }, "No such server 'nothing'"],
      [{ servers: { '': { last_activity: new Date(Date.now() + 7_200_000).toISOString() } } }, 'more than an hour in the future'],
      [{ servers: { '': { last_activity: 5 } } }, 'last_activity'],
    ] as const) {
      const r = await activity(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(((await r.json()) as { message: string }).message, JSON.stringify(body)).toContain(says);
    }
    expect((await activity({ last_activity: new Date().toISOString() }, bob)).status).toBe(404);
    const reported = new Date(Date.now() - 1000).toISOString();
    expect((await activity({ last_activity: reported })).status).toBe(200);
    const user = (await (await hub.api('/hub/api/users/alice', { token: alice })).json()) as { last_activity: string };
    expect(Date.parse(user.last_activity)).toBeGreaterThanOrEqual(Date.parse(reported));
    // Without an offset it is UTC, as in JupyterHub; read as the hub's local time (UTC-5) it would be 5 h ahead, and refused.
    const naive = new Date(Date.now() - 1000).toISOString().replace('Z', '');
    const r = await activity({ last_activity: naive });
    expect(r.status, await r.clone().text()).toBe(200);
  });
});

describe('culling configuration', () => {
  it('refuses to start with a bad culling value, naming the key', async ({ expect }) => {
    await expect(startTestHub({ config: 'culling:\n  idle_timeout_seconds: -5\n' })).rejects.toThrow(/culling\.idle_timeout_seconds/);
    await expect(startTestHub({ config: '', env: { NBHUB_CULLING_EVERY_SECONDS: '0' } })).rejects.toThrow(/culling\.every_seconds/);
    await expect(startTestHub({ config: 'culling:\n  idle_timeout_seconds: 300\n  warn_seconds: 300\n' })).rejects.toThrow(/culling\.warn_seconds: must be less than culling\.idle_timeout_seconds \(300\)/);
  });
  it('starts with short idle timeouts (60, 120, 300 s, and a profile at 120 s) and warns a quarter of the timeout ahead', async ({ expect }) => {
    for (const timeout of [60, 120, 300]) {
      const hub = await startTestHub({ config: `culling:\n  idle_timeout_seconds: ${timeout}\nprofiles:\n  quick:\n    culling:\n      idle_timeout_seconds: 120\n` });
      try {
        const token = hub.addUser('root', { admin: true });
        const r = await hub.api('/hub/api/users/root/server', { method: 'POST', token });
        expect([201, 202]).toContain(r.status);
        let model: { servers: Record<string, { ready: boolean; nbhub: { cull_at: string | null; cull_warn_at: string | null } }> } | undefined;
        await expect
          .poll(async () => {
            model = (await (await hub.api('/hub/api/users/root', { token })).json()) as typeof model;
            return model?.servers['']?.ready === true && model.servers['']?.nbhub.cull_at !== null;
          }, { timeout: 60_000 })
          .toBe(true);
        const n = model?.servers['']?.nbhub;
        const lead = (Date.parse(String(n?.cull_at)) - Date.parse(String(n?.cull_warn_at))) / 1000;
        expect(lead).toBeCloseTo(timeout / 4, 0);
      } finally {
        await hub.dispose();
      }
    }
  });
});
