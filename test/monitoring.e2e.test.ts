import type { Session } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { AGENT_MODES, startHubInMode, type HubInMode } from './helpers/agent-modes.js';
import type { TestHub } from './helpers/hub.js';

interface Usage {
  series: Array<{ labels: Record<string, string>; points: Array<{ t: number; cpu: number; memory: number }> }>;
  totals: Array<{ labels: Record<string, string>; cpu_seconds: number; peak_memory: number }>;
}
interface Proc {
  pid: number;
  command: string;
  kernel_id: string | null;
  notebook: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Samples, process lists and signals go through the in-process agent, or through a separate agent's API.
describe.each(AGENT_MODES)('consumption monitoring with a real Jupyter server ($mode)', (mode) => {
  let inMode: HubInMode;
  let hub: TestHub;
  let alice: string;
  let bob: string;
  let session: Session.ISessionConnection;
  let m: ReturnType<typeof managers>;
  let kernelId: string;

  beforeAll(async () => {
    inMode = await startHubInMode(mode, '  interval_seconds: 1\n');
    hub = inMode.hub;
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'busy.ipynb', type: 'notebook', name: 'busy.ipynb', kernel: { name: 'python3' } });
    kernelId = session.kernel?.id as string;
  });
  afterAll(async () => {
    m?.dispose();
    await inMode?.dispose();
  });

  const usage = async (query: string, token = alice): Promise<Usage> => {
    const r = await hub.api(`/hub/api/usage?${query}`, { token });
    expect(r.status, await r.clone().text()).toBe(200);
    // The body is written as bytes (src/usage/usage-json.ts): still JSON, as clients expect it.
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return (await r.json()) as Usage;
  };
  /** Waits until the sampler has stored a sample of alice's server taken after `t` (Unix seconds). */
  const sampledAfter = (t: number) =>
    expect
      .poll(async () => Math.max(0, ...(await usage(`user=alice&from=${Math.floor(t) - 5}&step=1`)).series.flatMap((s) => s.points.map((p) => p.t))), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(Math.ceil(t));
  const processes = async (token = alice) => ((await (await hub.api('/hub/api/users/alice/server/processes', { token })).json()) as { processes: Proc[] }).processes;

  it('shows a cell keeping one core busy for 5 s as about one core on its kernel, for that window', async () => {
    const kernel = session.kernel!;
    const t0 = Date.now() / 1000;
    // The cell also says how much CPU it got: on a shared machine a busy loop may get less than a core.
    const r = await execute(kernel, 'import time\nt = time.time()\nc = time.process_time()\nwhile time.time() - t < 5: pass\nprint(round(time.process_time() - c, 3))');
    const t1 = Date.now() / 1000;
    const got = Number(r.output);
    expect(got).toBeGreaterThan(2);
    await sampledAfter(t1 + 2);
    const all = await usage(`user=alice&group_by=kernel&from=${Math.floor(t0 - 2)}&to=${Math.ceil(t1 + 2)}&step=1`);
    const total = all.totals.find((t) => t.labels['kernel'] === kernelId);
    expect(total?.labels['notebook']).toBe('busy.ipynb');
    expect(total?.cpu_seconds).toBeGreaterThan(got * 0.8);
    expect(total?.cpu_seconds).toBeLessThan(got * 1.2 + 0.5);
    // Inside the window, 2-second steps read the cores the cell got: about one when the machine gave it one.
    const inside = await usage(`user=alice&kernel=${kernelId}&group_by=kernel&from=${Math.ceil(t0 + 1)}&to=${Math.floor(t1 - 1)}&step=2`);
    const points = inside.series[0]?.points ?? [];
    expect(points.length).toBeGreaterThan(0);
    const share = got / 5;
    const mean = points.reduce((sum, p) => sum + p.cpu, 0) / points.length;
    expect(mean).toBeGreaterThan(share * 0.8);
    expect(mean).toBeLessThan(share * 1.2);
    if (share > 0.95) {
      for (const p of points) {
        expect(p.cpu).toBeGreaterThan(0.8);
        expect(p.cpu).toBeLessThan(1.2);
      }
    }
    // Coarser steps read the 1-minute rollups (the current, unfinished minute included) and agree.
    const coarse = await usage(`user=alice&group_by=kernel&from=${Math.floor(t0 - 2)}&to=${Math.ceil(Date.now() / 1000)}&step=60`);
    const coarseTotal = coarse.totals.find((t) => t.labels['kernel'] === kernelId)?.cpu_seconds ?? 0;
    expect(Math.abs(coarseTotal - (total?.cpu_seconds ?? 0))).toBeLessThan(1);
    // The runtime as a whole includes it; grouped by user, alice has at least that.
    const byUser = await usage(`group_by=user&from=${Math.floor(t0 - 2)}&to=${Math.ceil(t1 + 2)}`);
    expect(byUser.totals.find((t) => t.labels['user'] === 'alice')?.cpu_seconds).toBeGreaterThan(got * 0.8);
  });

  it('shows a cell allocating 500 MB in the memory of its kernel', async () => {
    await execute(session.kernel!, 'blob = b"x" * (500 * 1024 * 1024)');
    const since = Math.floor(Date.now() / 1000);
    await sampledAfter(since + 1);
    const u = await usage(`user=alice&kernel=${kernelId}&group_by=kernel&from=${since}&step=1`);
    expect(u.totals[0]?.peak_memory).toBeGreaterThan(500 * 1024 * 1024);
    const kernels = (await (await hub.api('/hub/api/users/alice/server/kernels', { token: alice })).json()) as {
      kernels: Array<{ id: string; notebooks: string[]; memory: number; execution_state: string }>;
    };
    const k = kernels.kernels.find((x) => x.id === kernelId);
    expect(k?.notebooks).toEqual(['busy.ipynb']);
    expect(k?.memory).toBeGreaterThan(500 * 1024 * 1024);
    expect(k?.execution_state).toBe('idle');
    await execute(session.kernel!, 'del blob');
  });

  it('lists a subprocess started from a cell under its kernel, and ends it when signalled', async () => {
    await execute(session.kernel!, 'import subprocess\nchild = subprocess.Popen(["sleep", "600"])');
    const sleeping = (await processes()).find((p) => p.command === 'sleep 600');
    expect(sleeping?.kernel_id).toBe(kernelId);
    expect(sleeping?.notebook).toBe('busy.ipynb');
    const r = await hub.api(`/hub/api/users/alice/server/processes/${sleeping?.pid}/signal`, { method: 'POST', token: alice, body: { signal: 'SIGTERM' } });
    expect(r.status).toBe(204);
    expect((await execute(session.kernel!, 'print(child.wait(timeout=5))')).output).toBe('-15\n');
    expect((await processes()).some((p) => p.command === 'sleep 600')).toBe(false);
  });

  it("refuses another user's processes, kernels and usage, and signals to processes outside the runtime", async () => {
    const target = (await processes()).find((p) => p.kernel_id === kernelId) as Proc;
    expect((await hub.api('/hub/api/users/alice/server/processes', { token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/users/alice/server/kernels', { token: bob })).status).toBe(404);
    expect((await hub.api(`/hub/api/users/alice/server/processes/${target.pid}/signal`, { method: 'POST', token: bob, body: { signal: 'SIGKILL' } })).status).toBe(404);
    expect((await hub.api(`/hub/api/users/alice/server/kernels/${kernelId}/interrupt`, { method: 'POST', token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/usage?user=alice', { token: bob })).status).toBe(403);
    const mine = await usage('group_by=user', bob);
    expect(mine.totals.every((t) => t.labels['user'] === 'bob')).toBe(true);
    // The hub's own process is not alice's to signal.
    expect((await hub.api(`/hub/api/users/alice/server/processes/${hub.proc.pid}/signal`, { method: 'POST', token: alice, body: { signal: 'SIGTERM' } })).status).toBe(404);
    expect(hub.proc.exitCode).toBeNull();
    // The kernel survived all of it.
    expect((await execute(session.kernel!, '1 + 1')).output).toBe('2');
  });

  it('answers bad query parameters with a 400 naming the parameter', async () => {
    for (const [q, name] of [
      ['from=yesterday', 'from'],
      ['group_by=planet', 'group_by'],
      ['step=0', 'step'],
      ['colour=red', 'colour'],
      ['from=1800000000&to=1700000000', 'from'],
    ]) {
      const r = await hub.api(`/hub/api/usage?${q}`, { token: alice });
      expect(r.status, q).toBe(400);
      expect(((await r.json()) as { message: string }).message.startsWith(`${name}:`), q).toBe(true);
    }
    const bad = await hub.api('/hub/api/users/alice/server/processes/123/signal', { method: 'POST', token: alice, body: { signal: 'SIGSTOP' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/signal/);
  });

  it('labels a kernel shared by two notebooks with both, until execution history splits them', async () => {
    // A second notebook session on the same kernel, as JupyterLab's "use kernel from other session" does.
    const created = await hub.api('/user/alice/api/sessions', {
      method: 'POST',
      token: alice,
      body: { path: 'shared.ipynb', type: 'notebook', name: 'shared.ipynb', kernel: { id: kernelId } },
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { kernel: { id: string } }).kernel.id).toBe(kernelId);
    // A kernel already known is looked up again every 6 sweeps (6 s here).
    await expect
      .poll(async () => (await usage(`user=alice&group_by=kernel&from=${Math.floor(Date.now() / 1000) - 30}`)).totals.find((t) => t.labels['kernel'] === kernelId)?.labels['notebook'], {
        timeout: 15_000,
      })
      .toBe('busy.ipynb,shared.ipynb');
    const byNotebook = await usage(`user=alice&notebook=shared.ipynb&group_by=notebook&from=${Math.floor(Date.now() / 1000) - 30}`);
    expect(byNotebook.totals.map((t) => t.labels['notebook'])).toEqual(['busy.ipynb,shared.ipynb']);
    const k = ((await (await hub.api('/hub/api/users/alice/server/kernels', { token: alice })).json()) as { kernels: Array<{ id: string; notebooks: string[] }> }).kernels;
    expect(k.find((x) => x.id === kernelId)?.notebooks).toEqual(['busy.ipynb', 'shared.ipynb']);
  });

  it('interrupts a busy kernel through the API', async () => {
    const kernel = session.kernel!;
    const running = execute(kernel, 'import time\ntime.sleep(60)');
    await sleep(1000);
    expect((await hub.api(`/hub/api/users/alice/server/kernels/${kernelId}/interrupt`, { method: 'POST', token: alice })).status).toBe(204);
    expect((await running).status).toBe('error');
  });

  it('counts nothing twice across a hub restart, even after a kernel went away', async () => {
    // A second kernel burns CPU and is shut down: the runtime's CPU then outweighs what its live processes show.
    const extra = await m.kernels.startNew({ name: 'python3' });
    // 3 s of CPU time, not of wall time: on a shared machine a busy loop gets less than a core.
    await execute(extra, 'import time\nc = time.process_time()\nwhile time.process_time() - c < 3: pass');
    await extra.shutdown();
    const from = Math.floor(Date.now() / 1000) - 600;
    await sampledAfter(Date.now() / 1000 + 1);
    const total = async () => (await usage(`user=alice&server=&from=${from}&to=${Math.ceil(Date.now() / 1000)}&step=1`)).totals[0]?.cpu_seconds ?? 0;
    const before = await total();
    // The first busy cell got more than 2 CPU-s (asserted above), this one 3.
    expect(before).toBeGreaterThan(5);
    await hub.kill('SIGKILL');
    await hub.restart();
    await sampledAfter(Date.now() / 1000 + 2);
    const after = await total();
    // The runtime idled meanwhile: a little more, never its processes' whole lifetime again.
    expect(after).toBeGreaterThanOrEqual(before - 0.01);
    expect(after).toBeLessThan(before + 1.5);
  });
});
