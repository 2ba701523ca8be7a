import type { Session } from '@jupyterlab/services';
import type { V1Pod } from '@kubernetes/client-node';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENTS, LABELS } from '../src/kube/labels.js';
import { burn, endedExecutions, run } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { jupyterSettings, managers } from './helpers/jupyter.js';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';
import { agents } from './helpers/monitoring.js';
import { agentPod } from './helpers/agent-pod.js';

/**
 * Monitoring through the node agent on the real control plane: the hub (spawner kubernetes, no embedded agent)
 * starts JupyterLab in a pod run by the process kubelet (the node stand-in, which puts pods in real cgroups);
 * `nbhub agent` runs in node mode as its DaemonSet would run it on node-1 (a pod of the nbhub/nbhub image,
 * node and address from the downward API) and registers with the hub, which pulls it.
 */
const missing = kubeMissing();
const NS = 'default';
const BUSY_S = 20;

interface Usage {
  series: Array<{ labels: Record<string, string>; points: Array<{ t: number; cpu: number; memory: number }> }>;
  totals: Array<{ labels: Record<string, string>; cpu_seconds: number; peak_memory: number }>;
}

describe.skipIf(missing !== null)(`monitoring through the node agent on Kubernetes${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let cluster: TestCluster;
  let hub: TestHub;
  let agentDir = '';
  let admin = '';
  let alice = '';
  let m: ReturnType<typeof managers> | undefined;
  let session: Session.ISessionConnection;
  let kernelId = '';
  /** CPU-seconds the busy cell measured itself. */
  let busyGot = 0;

  /** The agent as its DaemonSet would run it (deploy/'s chart): node and address from the downward API. */
  const agentPodOf = (instance: string): V1Pod =>
    agentPod({ name: 'nbhub-agent-node-1', node: cluster.node as string, instance, hubUrl: hub.url, token: admin, dataDir: agentDir, namespace: NS, kubeconfig: cluster.kubeconfig, hostPID: true, graceSeconds: 5 });

  beforeAll(async () => {
    cluster = await startTestCluster();
    agentDir = mkdtempSync(join(tmpdir(), 'nbhub-kube-agent-'));
    hub = await startTestHub({
      config: [
        'spawner: kubernetes',
        'kubernetes:',
        `  kubeconfig: ${cluster.kubeconfig}`,
        `  namespace: ${NS}`,
        '  storage_size: 10Mi',
        'monitoring:',
        '  embedded_agent: false',
        '  interval_seconds: 1',
        '  pull_every_seconds: 0.2',
        '',
      ].join('\n'),
    });
    admin = hub.addUser('admin', { admin: true });
    alice = hub.addUser('alice');
    // JupyterLab (the default profile) in its pod.
    const r = await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice });
    if (r.status !== 201) throw new Error(`start answered ${r.status}: ${await r.text()}\n${hub.output()}`);
    // The agent pod carries the hub's instance label, as the chart gives it: the one the runtime pod has.
    const { items } = await cluster.api.get<{ items: V1Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`${LABELS.component}=${COMPONENTS.runtime}`)}`);
    const instance = items[0]?.metadata?.labels?.[LABELS.instance];
    if (!instance) throw new Error('no runtime pod with an instance label');
    await cluster.api.post(`/api/v1/namespaces/${NS}/pods`, agentPodOf(instance));
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'busy.ipynb', type: 'notebook', name: 'busy.ipynb', kernel: { name: 'python3' } });
    kernelId = session.kernel?.id as string;
  }, 150_000);

  afterAll(async () => {
    m?.dispose();
    await hub?.dispose();
    await cluster?.stop();
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  }, 90_000);

  const usage = async (query: string): Promise<Usage> => {
    const r = await hub.api(`/hub/api/usage?${query}`, { token: alice });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as Usage;
  };
  const agentId = () => (JSON.parse(readFileSync(join(agentDir, 'agent.json'), 'utf8')) as { id: string }).id;

  it('the node agent registers from its pod, is pulled, and follows the JupyterLab runtime', async () => {
    await expect.poll(() => existsSync(join(agentDir, 'agent.json')), { timeout: 60_000, message: cluster.logs('process-kubelet').slice(-3000) }).toBe(true);
    await expect.poll(async () => (await agents(hub, admin)).find((a) => a.id === agentId())?.state, { timeout: 60_000 }).toBe('ok');
    // Its samples of alice's runtime reach the usage API.
    const since = Math.floor(Date.now() / 1000);
    await expect
      .poll(async () => Math.max(0, ...(await usage(`user=alice&from=${since - 5}&step=1`)).series.flatMap((s) => s.points.map((p) => p.t))), { timeout: 60_000 })
      .toBeGreaterThanOrEqual(since);
  }, 150_000);

  it(`a cell busy on one core for ${BUSY_S} s reads as the cores it got (1.0 ± 0.2 on a free core), on its kernel and its runtime`, async () => {
    const t0 = Date.now() / 1000;
    // The cell says how much CPU it got: on a shared machine a busy loop may get less than a core.
    const r = await run(session.kernel!, `import time\nt = time.time()\nc = time.process_time()\nwhile time.time() - t < ${BUSY_S}: pass\nprint(round(time.process_time() - c, 3))`);
    const t1 = Date.now() / 1000;
    expect(r.status).toBe('ok');
    const got = Number(r.output);
    busyGot = got;
    const share = got / BUSY_S;
    // Samples of the window's end stored.
    await expect
      .poll(async () => Math.max(0, ...(await usage(`user=alice&kernel=${kernelId}&group_by=kernel&from=${Math.floor(t0)}&step=1`)).series.flatMap((s) => s.points.map((p) => p.t))), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(Math.floor(t1));
    const mean = (u: Usage) => {
      const points = u.series[0]?.points ?? [];
      expect(points.length).toBeGreaterThan(3);
      return points.reduce((s, p) => s + p.cpu, 0) / points.length;
    };
    // Inside the window (its edges left out), 2-second steps.
    const window = `from=${Math.ceil(t0 + 2)}&to=${Math.floor(t1 - 2)}&step=2`;
    const kernel = mean(await usage(`user=alice&kernel=${kernelId}&group_by=kernel&${window}`));
    const runtime = mean(await usage(`user=alice&server=&${window}`));
    console.log(`busy kernel in a pod: hub reads ${kernel.toFixed(3)} cores on the kernel, ${runtime.toFixed(3)} on the runtime; the cell got ${share.toFixed(3)} (${got} s CPU in ${BUSY_S} s)`);
    expect(share).toBeGreaterThan(0.5); // the loop ran: a reading of 0 would not pass as "what it got"
    expect(Math.abs(kernel - share)).toBeLessThan(0.2);
    expect(Math.abs(runtime - share)).toBeLessThan(0.2);
    if (share > 0.95) expect(Math.abs(kernel - 1)).toBeLessThan(0.2);
  }, 120_000);

  it("the cells' executions are recorded with the CPU-seconds each cell measured itself, within 5%", async () => {
    const burnt = await run(session.kernel!, burn(3), 'cell-burn');
    expect(burnt.status).toBe('ok');
    const measured = Number(burnt.output);
    expect(measured).toBeGreaterThanOrEqual(3);
    const ended = await endedExecutions(hub, `kernel=${kernelId}`, alice, 2);
    const busy = ended.find((e) => e.code?.includes('while time.time()'));
    const cell = ended.find((e) => e.cell_id === 'cell-burn');
    console.log(`executions: the burn cell measured ${measured} s, the hub recorded ${cell?.cpu_seconds} s; the busy cell ${busy?.cpu_seconds} s`);
    expect(cell).toMatchObject({ user: 'alice', server: '', kernel_id: kernelId, status: 'ok' });
    expect(Math.abs((cell?.cpu_seconds ?? 0) - measured) / measured).toBeLessThan(0.05);
    expect(busyGot).toBeGreaterThan(0);
    expect(Math.abs((busy?.cpu_seconds ?? 0) - busyGot) / busyGot).toBeLessThan(0.05);
  }, 90_000);
});
