/**
 * The compatibility subset against the previous generation (issue 13): Debian's classic Notebook 6.4 on
 * jupyter-server 1.23, which the hub falls back to where the JupyterLab environment is missing. A kernel
 * through the proxy, one execution recorded with its CPU, culling of an idle server. (The full suites run
 * against JupyterLab 4, the default.)
 */
import { existsSync } from 'node:fs';
import type { Session } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burn, endedExecutions, run } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';

// Installed by scripts/install-deps.sh --test (what scripts/test.sh runs); a machine without it cannot run this subset.
describe.skipIf(!existsSync('/usr/bin/jupyter-notebook'))('Debian Notebook 6 / jupyter-server 1.23 (compatibility subset)', () => {
  let hub: TestHub;
  let alice: string;
  let m: ReturnType<typeof managers>;
  let session: Session.ISessionConnection;

  beforeAll(async () => {
    hub = await startTestHub({
      config: 'monitoring:\n  interval_seconds: 2\nculling:\n  idle_timeout_seconds: 20\n  every_seconds: 2\n',
      // No nbhub environment and no jupyter-lab on PATH: detection falls to Debian's notebook.
      env: { NBHUB_SPAWNER_JUPYTER_ENV: '/nonexistent/nbhub-jupyter', PATH: '/usr/local/bin:/usr/bin:/bin' },
    });
    alice = hub.addUser('alice');
  });
  afterAll(async () => {
    m?.dispose();
    await hub?.dispose();
  });

  it('runs the classic notebook, named so in the profiles', async () => {
    const profiles = (await (await hub.api('/hub/api/profiles', { token: alice })).json()) as { profiles: Array<{ name: string; display_name: string }> };
    expect(profiles.profiles.find((p) => p.name === 'default')?.display_name).toMatch(/^Jupyter Notebook 6\.\d+\.\d+ \(Debian\)$/);
  });

  it('reaches a kernel through the proxy and records one execution with its CPU', async () => {
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    // The classic notebook's own page, through the proxy.
    const tree = await hub.api('/user/alice/tree', { token: alice });
    expect(tree.status).toBe(200);
    expect(await tree.text()).toMatch(/Jupyter Notebook|<title>Home/);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'old.ipynb', type: 'notebook', name: 'old.ipynb', kernel: { name: 'python3' } });
    const kernel = session.kernel!;
    expect(await execute(kernel, '6 * 7')).toEqual({ status: 'ok', output: '42' });
    const burnt = await run(kernel, burn(1), 'cell-1');
    expect(burnt.status).toBe('ok');
    const done = await endedExecutions(hub, `kernel=${kernel.id}`, alice, 2);
    expect(done[1]).toMatchObject({ status: 'ok', notebook: 'old.ipynb', cell_id: 'cell-1', execution_count: 2 });
    expect(done[1]?.cpu_seconds).toBeGreaterThan(0.8);
    await session.shutdown();
    m.dispose();
  });

  it('culls the idle server (timeout 20 s) with reason idle', async () => {
    const model = async () =>
      ((await (await hub.api('/hub/api/users/alice?include_stopped_servers', { token: alice })).json()) as { servers: Record<string, { nbhub: { state: string; stop_reason: string | null; requested_by: string | null } }> }).servers[''];
    await expect.poll(async () => (await model())?.nbhub.state, { timeout: 90_000, interval: 1000 }).toBe('stopped');
    expect((await model())?.nbhub).toMatchObject({ stop_reason: 'idle', requested_by: 'culler' });
  }, 120_000);
});
