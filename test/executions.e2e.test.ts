import { createHash } from 'node:crypto';
import type { Session } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions, listExecutions, run, writeNotebook, type ExecutionItem } from './helpers/executions.js';
import { AGENT_MODES, startHubInMode, type HubInMode } from './helpers/agent-modes.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Kernel readings come through the process door: the in-process agent, or a separate agent's API.
describe.each(AGENT_MODES)('execution history with a real Jupyter server through the proxy ($mode)', (mode) => {
  let inMode: HubInMode;
  let hub: TestHub;
  let alice: string;
  let bob: string;
  let admin: string;
  let m: ReturnType<typeof managers>;
  let session: Session.ISessionConnection;
  let kernelId: string;

  beforeAll(async () => {
    inMode = await startHubInMode(mode, '  interval_seconds: 1\n');
    hub = inMode.hub;
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
    admin = hub.addUser('root', { admin: true });
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'three.ipynb', type: 'notebook', name: 'three.ipynb', kernel: { name: 'python3' } });
    kernelId = session.kernel?.id as string;
  });
  afterAll(async () => {
    m?.dispose();
    await inMode?.dispose();
  });

  it('lists three cells in order (fine, raising, burning 3 s of CPU) with status, duration and the CPU the cell measured itself', async () => {
    const kernel = session.kernel!;
    expect((await run(kernel, 'x = 6 * 7')).status).toBe('ok');
    expect((await run(kernel, '1 / 0')).status).toBe('error');
    const burnt = await run(kernel, burn(3));
    const measured = Number(burnt.output);
    expect(measured).toBeGreaterThanOrEqual(3);
    const [fine, raising, cpu] = await endedExecutions(hub, `kernel=${kernelId}`, alice, 3);
    expect([fine?.status, raising?.status, cpu?.status]).toEqual(['ok', 'error', 'ok']);
    expect(raising?.error_name).toBe('ZeroDivisionError');
    expect([fine?.execution_count, raising?.execution_count, cpu?.execution_count]).toEqual([1, 2, 3]);
    expect(fine?.code).toBe('x = 6 * 7');
    for (const e of [fine, raising, cpu]) {
      expect(e).toMatchObject({ user: 'alice', server: '', kernel_id: kernelId, notebook: 'three.ipynb', attribution: 'session' });
      expect(e?.duration_seconds).toBe((Date.parse(e?.ended ?? '') - Date.parse(e?.started ?? '')) / 1000);
      expect(e?.peak_memory).toBeGreaterThan(10_000_000);
    }
    expect(fine?.duration_seconds).toBeLessThan(1);
    // At least its CPU time; more on a machine where the kernel has to share a core.
    expect(cpu?.duration_seconds).toBeGreaterThanOrEqual(3);
    expect(cpu?.duration_seconds).toBeLessThan(30);
    expect(Math.abs((cpu?.cpu_seconds ?? 0) - measured) / measured).toBeLessThan(0.05);
    expect(fine?.cpu_seconds).toBeLessThan(0.5);
    // One of them alone, and the per-notebook summary, with the kernel's CPU outside its cells (idle cost).
    const one = await hub.api(`/hub/api/executions/${cpu?.id}`, { token: alice });
    expect(await one.json()).toEqual(cpu);
    type Summary = {
      notebooks: Array<{ notebook: string; runs: number; errors: number; cpu_seconds: number; peak_memory: number; last_run: string }>;
      kernels: Array<{ kernel_id: string; cpu_seconds: number | null; execution_cpu_seconds: number; idle_cpu_seconds: number | null }>;
    };
    const summary = async () => (await (await hub.api('/hub/api/executions/summary', { token: alice })).json()) as Summary;
    // The kernel's whole CPU comes from the stored samples, which follow the cell's end by up to a sweep and a
    // pull (a separate agent is pulled every pull_every_seconds): it is read once they have caught up.
    const caughtUp = (s: Summary) => {
      const k = s.kernels.find((x) => x.kernel_id === kernelId);
      return (k?.cpu_seconds ?? 0) > k!.execution_cpu_seconds * 0.8;
    };
    await expect.poll(async () => caughtUp(await summary()), { timeout: 15_000, interval: 250 }).toBe(true);
    const sum = await summary();
    const nb = sum.notebooks.find((n) => n.notebook === 'three.ipynb');
    expect(nb).toMatchObject({ runs: 3, errors: 1, last_run: cpu?.started });
    expect(nb?.cpu_seconds).toBeCloseTo((fine?.cpu_seconds ?? 0) + (raising?.cpu_seconds ?? 0) + (cpu?.cpu_seconds ?? 0), 6);
    const k = sum.kernels.find((x) => x.kernel_id === kernelId);
    expect(k?.execution_cpu_seconds).toBeCloseTo(nb?.cpu_seconds ?? 0, 6);
    expect(k?.idle_cpu_seconds).toBeGreaterThanOrEqual(0);
    expect(k?.cpu_seconds).toBeGreaterThan((k?.execution_cpu_seconds ?? 0) * 0.8);
  });

  it('ends a cell interrupted through the hub API as interrupted', async () => {
    const kernel = session.kernel!;
    const future = kernel.requestExecute({ code: 'import time\ntime.sleep(60)' });
    let running: ExecutionItem | undefined;
    await expect
      .poll(async () => {
        running = (await listExecutions(hub, `kernel=${kernelId}&status=running`, alice)).items[0];
        return running?.code;
      })
      .toBe('import time\ntime.sleep(60)');
    expect(running?.ended).toBeNull();
    expect(running?.duration_seconds).toBeNull();
    await sleep(300);
    expect((await hub.api(`/hub/api/users/alice/server/kernels/${kernelId}/interrupt`, { method: 'POST', token: alice })).status).toBe(204);
    await future.done.catch(() => undefined);
    await expect.poll(async () => (await (await hub.api(`/hub/api/executions/${running?.id}`, { token: alice })).json()).status).toBe('interrupted');
  });

  it('interrupts a running execution by its id, and refuses one that has ended', async () => {
    const kernel = session.kernel!;
    const future = kernel.requestExecute({ code: 'import time\ntime.sleep(61)' });
    let running: ExecutionItem | undefined;
    await expect.poll(async () => (running = (await listExecutions(hub, `kernel=${kernelId}&status=running`, alice)).items[0])?.code).toBe('import time\ntime.sleep(61)');
    expect((await hub.api(`/hub/api/executions/${running?.id}/interrupt`, { method: 'POST', token: bob })).status).toBe(404);
    expect((await hub.api(`/hub/api/executions/${running?.id}/interrupt`, { method: 'POST', token: alice })).status).toBe(204);
    await future.done.catch(() => undefined);
    await expect.poll(async () => (await (await hub.api(`/hub/api/executions/${running?.id}`, { token: alice })).json()).status).toBe('interrupted');
    expect((await hub.api(`/hub/api/executions/${running?.id}/interrupt`, { method: 'POST', token: alice })).status).toBe(409);
  });

  it('gives two notebooks sharing one kernel their own executions and CPU, told apart by cell id; without one it is ambiguous', async () => {
    await writeNotebook(hub, alice, 'one.ipynb', ['one-a', 'one-b']);
    await writeNotebook(hub, alice, 'two.ipynb', ['two-a']);
    const s1 = await m.sessions.startNew({ path: 'one.ipynb', type: 'notebook', name: 'one.ipynb', kernel: { name: 'python3' } });
    const shared = s1.kernel?.id as string;
    // JupyterLab's "use the kernel of another notebook": a session for two.ipynb on one.ipynb's kernel.
    const created = await hub.api('/user/alice/api/sessions', { method: 'POST', token: alice, body: { path: 'two.ipynb', type: 'notebook', name: 'two.ipynb', kernel: { id: shared } } });
    expect(created.status).toBe(201);
    const s2 = m.sessions.connectTo({ model: (await created.json()) as Session.IModel });
    expect(s2.kernel?.id).toBe(shared);
    const one = Number((await run(s1.kernel!, burn(1), 'one-a')).output);
    const two = Number((await run(s2.kernel!, burn(2), 'two-a')).output);
    await run(s1.kernel!, 'y = 2', 'one-b');
    await run(s2.kernel!, 'z = 3');
    const all = await endedExecutions(hub, `kernel=${shared}`, alice, 4);
    expect(all.map((e) => [e.notebook, e.attribution, e.cell_id])).toEqual([
      ['one.ipynb', 'cell', 'one-a'],
      ['two.ipynb', 'cell', 'two-a'],
      ['one.ipynb', 'cell', 'one-b'],
      [null, 'ambiguous', null],
    ]);
    expect(all[3]?.notebook_candidates).toEqual(['one.ipynb', 'two.ipynb']);
    expect(Math.abs((all[0]?.cpu_seconds ?? 0) - one) / one).toBeLessThan(0.1);
    expect(Math.abs((all[1]?.cpu_seconds ?? 0) - two) / two).toBeLessThan(0.1);
    const byNotebook = async (nb: string) => (await listExecutions(hub, `notebook=${nb}`, alice)).items.map((e) => e.cell_id);
    expect(await byNotebook('one.ipynb')).toEqual(['one-b', 'one-a']);
    expect(await byNotebook('two.ipynb')).toEqual(['two-a']);
    const sum = (await (await hub.api(`/hub/api/executions/summary?server=`, { token: alice })).json()) as { notebooks: Array<{ notebook: string | null; runs: number; cpu_seconds: number }> };
    const cpuOf = (nb: string) => sum.notebooks.find((n) => n.notebook === nb)?.cpu_seconds ?? 0;
    expect(Math.abs(cpuOf('one.ipynb') - one)).toBeLessThan(0.2);
    expect(Math.abs(cpuOf('two.ipynb') - two)).toBeLessThan(0.2);
    await s1.shutdown();
    s2.dispose();
  });

  it('ends a cell as died when its kernel dies, and when the kernel is restarted under it', async () => {
    const kernel = await m.kernels.startNew({ name: 'python3' });
    const statusOf = async (code: string) => (await listExecutions(hub, `kernel=${kernel.id}`, alice)).items.find((e) => e.code === code)?.status;
    const dying = kernel.requestExecute({ code: 'import os\nos._exit(1)' });
    void dying.done.catch(() => undefined);
    await expect.poll(() => statusOf('import os\nos._exit(1)'), { timeout: 20_000 }).toBe('died');
    // The runtime started the kernel again (same id): a cell there, then a restart asked through the hub's API.
    await expect.poll(async () => (await run(kernel, 'print("back")')).output, { timeout: 20_000 }).toBe('back\n');
    const sleeping = kernel.requestExecute({ code: 'import time\ntime.sleep(62)' });
    void sleeping.done.catch(() => undefined);
    await expect.poll(() => statusOf('import time\ntime.sleep(62)')).toBe('running');
    expect((await hub.api(`/hub/api/users/alice/server/kernels/${kernel.id}/restart`, { method: 'POST', token: alice })).status).toBe(204);
    await expect.poll(() => statusOf('import time\ntime.sleep(62)'), { timeout: 20_000 }).toBe('died');
    await kernel.shutdown();
  });

  it("refuses another user's executions and bad parameters; an admin sees everyone's", async () => {
    const mine = await listExecutions(hub, 'limit=2', alice);
    expect(mine.items).toHaveLength(2);
    expect(mine._pagination).toMatchObject({ offset: 0, limit: 2, next: { offset: 2, limit: 2 } });
    expect(mine._pagination.total).toBeGreaterThan(5);
    const page2 = await listExecutions(hub, 'limit=2&offset=2', alice);
    expect(page2.items[0]?.id).not.toBe(mine.items[0]?.id);
    const id = mine.items[0]?.id as string;
    expect((await hub.api('/hub/api/executions?user=alice', { token: bob })).status).toBe(403);
    expect((await hub.api('/hub/api/executions/summary?user=alice', { token: bob })).status).toBe(403);
    expect((await hub.api(`/hub/api/executions/${id}`, { token: bob })).status).toBe(404);
    expect((await listExecutions(hub, '', bob)).items).toEqual([]);
    expect((await hub.api('/hub/api/executions')).status).toBe(403);
    expect((await listExecutions(hub, 'user=alice', admin))._pagination.total).toBe(mine._pagination.total);
    expect((await hub.api(`/hub/api/executions/${id}`, { token: admin })).status).toBe(200);
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['offset=-1', 'offset'],
      ['status=done', 'status'],
      ['since=yesterday', 'since'],
      ['since=2030-01-01&until=2029-01-01', 'since'],
      ['kernel=../x', 'kernel'],
      ['colour=red', 'colour'],
    ]) {
      const r = await hub.api(`/hub/api/executions?${query}`, { token: alice });
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { message: string }).message.startsWith(`${param}:`), query).toBe(true);
    }
    const doc = (await (await hub.api('/hub/api/openapi.json', { token: alice })).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/hub/api/executions', '/hub/api/executions/summary', '/hub/api/executions/{id}', '/hub/api/executions/{id}/interrupt']));
  });
});

describe('execution history switches', () => {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  const runOn = async (config: string, check: (hub: TestHub, token: string, kernelId: string) => Promise<void>) => {
    const hub = await startTestHub({ config });
    const m = { value: undefined as ReturnType<typeof managers> | undefined };
    try {
      const token = hub.addUser('alice');
      expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token })).status).toBe(201);
      m.value = managers(jupyterSettings(hub.url, '/user/alice/', token));
      const kernel = await m.value.kernels.startNew({ name: 'python3' });
      expect((await run(kernel, 'secret = "hunter2"')).status).toBe('ok');
      await check(hub, token, kernel.id);
    } finally {
      m.value?.dispose();
      await hub.dispose();
    }
  };

  it('records nothing with monitoring.executions off', async () => {
    await runOn('monitoring:\n  executions: false\n', async (hub, token) => {
      await sleep(1500); // longer than the recorder's write delay
      const page = await listExecutions(hub, '', token);
      expect(page.items).toEqual([]);
      expect(page._pagination.total).toBe(0);
    });
  });

  it('keeps only the hash of the code with monitoring.capture_code off', async () => {
    await runOn('monitoring:\n  capture_code: false\n', async (hub, token, kernelId) => {
      const [e] = await endedExecutions(hub, `kernel=${kernelId}`, token, 1);
      expect(e).toMatchObject({ status: 'ok', code: null, code_sha256: sha('secret = "hunter2"') });
    });
  });
});
