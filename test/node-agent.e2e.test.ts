import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceLabel } from '../src/kube/labels.js';
import { readStat } from '../src/procfs/proc.js';
import { ANNOTATIONS, COMPONENTS, LABELS } from '../src/kube/labels.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';
import { agents, allEvents, type ApiEvent } from './helpers/monitoring.js';
import { agentPod } from './helpers/agent-pod.js';

/**
 * `nbhub agent` in node mode as a pod (a DaemonSet's), on the real control plane with the process kubelet
 * (the node stand-in, which puts each pod in kubepods/<qos>/pod<uid> cgroups as a real kubelet does).
 */
const NODE = 'node-a';
const NS = 'default';
const missing = kubeMissing();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cores used between the first and last of a runtime's whole-runtime samples at or after `since` (ms). */
const coresOf = (events: ApiEvent[], user: string, server: string, since: number): number | undefined => {
  const s = events.filter((e) => e.type === 'sample' && e.user === user && e.server === server && e.kernel === '' && Date.parse(e.time) >= since);
  const first = s[0];
  const last = s[s.length - 1];
  if (!first || !last || last === first) return undefined;
  return ((last.cpu ?? 0) - (first.cpu ?? 0)) / ((Date.parse(last.time) - Date.parse(first.time)) / 1000);
};

describe.skipIf(missing !== null)(`node agent on the control plane (process kubelet)${missing ? `: skipped, ${missing}` : ''}`, () => {
  let cluster: TestCluster | undefined;
  let core: CoreV1Api;
  let hub: TestHub;
  let admin = '';
  let instance = '';
  let agentDir = '';
  let kubeconfig = '';

  const runtimePod = (name: string, o: { user: string; server: string; command: string[]; node?: string; labels?: boolean }): V1Pod => ({
    metadata: {
      name,
      labels: o.labels === false ? { app: 'something-else' } : { [LABELS.name]: 'nbhub', [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime, [LABELS.instance]: instance },
      annotations: { [ANNOTATIONS.user]: o.user, [ANNOTATIONS.server]: o.server },
    },
    spec: { nodeName: o.node ?? NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: 'busybox', command: o.command, ports: [{ containerPort: 8888 }] }] },
  });

  /** The agent as its DaemonSet would run it: node and address from the downward API, its log on the node (hostPath). */
  const agentPodOf = (name: string): V1Pod =>
    agentPod({ name, node: NODE, instance, hubUrl: hub.url, token: admin, dataDir: agentDir, namespace: NS, kubeconfig });

  const podIp = async (name: string): Promise<string> => {
    let ip = '';
    await expect.poll(async () => (ip = (await core.readNamespacedPod({ name, namespace: NS })).status?.podIP ?? ''), { timeout: 60_000 }).not.toBe('');
    return ip;
  };
  const agentState = async () => (await agents(hub, admin)).find((a) => a.id === agentId());
  const agentId = () => (JSON.parse(readFileSync(join(agentDir, 'agent.json'), 'utf8')) as { id: string }).id;
  const deletePod = async (name: string) => {
    await core.deleteNamespacedPod({ name, namespace: NS }).catch(() => undefined);
    await expect.poll(async () => core.readNamespacedPod({ name, namespace: NS }).then(() => 'there', () => 'gone'), { timeout: 60_000 }).toBe('gone');
  };

  beforeAll(async () => {
    agentDir = mkdtempSync(join(tmpdir(), 'nbhub-node-agent-data-'));
    cluster = await startTestCluster({ node: { name: NODE } });
    kubeconfig = cluster.kubeconfig;
    core = cluster.kc.makeApiClient(CoreV1Api);
    hub = await startTestHub({
      config: `spawner: kubernetes\nkubernetes:\n  kubeconfig: ${kubeconfig}\n  namespace: ${NS}\nmonitoring:\n  embedded_agent: false\n  interval_seconds: 1\n  pull_every_seconds: 0.2\n  pull_timeout_seconds: 2\n  lease_seconds: 6\n`,
    });
    admin = hub.addUser('admin', { admin: true });
    // The hub's id (as its pods' instance label): told to any agent that registers.
    const probe = await hub.api('/hub/api/agents', { method: 'POST', token: admin, body: { id: 'probe', url: 'http://127.0.0.1:9', secret: 'p'.repeat(32) } });
    instance = instanceLabel(((await probe.json()) as { hub_id: string }).hub_id);
    await hub.api('/hub/api/agents/probe', { method: 'DELETE', token: admin });

    const create = (p: V1Pod) => core.createNamespacedPod({ namespace: NS, body: p });
    await create(runtimePod('rt-busy', { user: 'ann', server: '', command: ['sh', '-c', 'while :; do :; done'] }));
    await create(runtimePod('rt-idle', { user: 'bob', server: 'lab', command: ['sleep', '3600'] }));
    // Not followed: a pod without nbhub's labels on this node, and a runtime pod bound to another node.
    await create(runtimePod('not-runtime', { user: 'eve', server: '', command: ['sleep', '3600'], labels: false }));
    await create(runtimePod('rt-elsewhere', { user: 'carol', server: '', command: ['sleep', '3600'], node: 'node-b' }));
    await create(agentPodOf('agent-1'));
  }, 240_000);

  afterAll(async () => {
    await hub?.dispose();
    await cluster?.stop();
    if (agentDir) rmSync(agentDir, { recursive: true, force: true });
  }, 90_000);

  it('registers at its pod IP and is pulled; finds the runtime pods of its node by cgroup, and only those', async () => {
    const ip = await podIp('agent-1');
    await expect.poll(async () => existsSync(join(agentDir, 'agent.json')), { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await agentState())?.state, { timeout: 60_000 }).toBe('ok');
    const listed = (await (await hub.api('/hub/api/agents', { token: admin })).json()) as { agents: Array<{ id: string; url: string; runtimes: Array<{ user: string; server: string }> | null }> };
    expect(listed.agents.find((a) => a.id === agentId())?.url).toBe(`http://${ip}:8001`);
    await expect
      .poll(async () => {
        const events = await allEvents(hub, admin);
        return [...new Set(events.filter((e) => e.type === 'runtime').map((e) => `${e.user}/${e.server}`))].sort();
      }, { timeout: 60_000 })
      .toEqual(['ann/', 'bob/lab']);
  }, 150_000);

  it('reads the busy runtime as the CPU its process got (1.0 ± 0.2 cores on a free core) from its pod cgroup, the idle one near 0; per process from /proc', async () => {
    // Per process, as the agent reads them now (the process door's endpoint, with the secret it registered).
    const { secret } = JSON.parse(readFileSync(join(agentDir, 'agent.json'), 'utf8')) as { secret: string };
    const ip = await podIp('agent-1');
    const processes = async () => {
      const r = await fetch(`http://${ip}:8001/agent/v1/runtime/processes?user=ann&server=`, { headers: { authorization: `Bearer ${secret}` } });
      expect(r.status, await r.clone().text()).toBe(200);
      return ((await r.json()) as { processes: Array<{ pid: number; command: string; cpu: number | null }> }).processes;
    };
    const loop = (await processes()).find((p) => p.command.includes('while'));
    expect(loop).toBeDefined();
    // What the loop really got, read beside the agent: this machine is shared, so a busy loop may get less than a core.
    const used = () => {
      const st = readStat(loop?.pid as number);
      return { t: Date.now(), cpu: (st?.cpuSeconds ?? NaN) + (st?.childCpuSeconds ?? 0) };
    };
    const a = used();
    await sleep(8000);
    const b = used();
    const truth = (b.cpu - a.cpu) / ((b.t - a.t) / 1000);
    const events = (await allEvents(hub, admin)).filter((e) => Date.parse(e.time) <= b.t);
    const busy = coresOf(events, 'ann', '', a.t);
    const idle = coresOf(events, 'bob', 'lab', a.t);
    console.log(`busy runtime: agent ${busy?.toFixed(3)} cores (cgroup), the loop got ${truth.toFixed(3)} (its /proc, read by the test)`);
    expect(busy).toBeDefined();
    expect(Math.abs((busy as number) - truth)).toBeLessThan(0.2);
    expect(truth).toBeGreaterThan(0.3); // the loop ran: a reading of 0 would not pass as "what it got"
    expect(idle as number).toBeLessThan(0.05);
    expect(events.some((e) => e.user === 'eve' || e.user === 'carol')).toBe(false);
    const c = used();
    const live = (await processes()).find((p) => p.pid === loop?.pid);
    const d = used();
    const liveTruth = (d.cpu - c.cpu) / ((d.t - c.t) / 1000);
    console.log(`busy process: agent ${live?.cpu?.toFixed(3)} cores (/proc), the loop got ${liveTruth.toFixed(3)} meanwhile`);
    expect(Math.abs((live?.cpu ?? 0) - liveTruth)).toBeLessThan(0.3);
  }, 60_000);

  it('is shown gone once its pod is deleted (not pulled); a new agent pod with the same data resumes from its offset', async () => {
    const before = await agentState();
    expect(before?.state).toBe('ok');
    await deletePod('agent-1');
    await expect.poll(async () => (await agentState())?.state, { timeout: 30_000 }).toBe('gone');
    // Its lease released: no instance holds it.
    await expect.poll(async () => (await agentState())?.owner ?? null, { timeout: 30_000 }).toBeNull();

    await core.createNamespacedPod({ namespace: NS, body: agentPodOf('agent-2') });
    const ip = await podIp('agent-2');
    await expect.poll(async () => (await agentState())?.state, { timeout: 60_000 }).toBe('ok');
    const head = (before?.last_offset ?? 0) + 5;
    await expect.poll(async () => (await agentState())?.last_offset ?? 0, { timeout: 60_000 }).toBeGreaterThan(head);
    const listed = (await (await hub.api('/hub/api/agents', { token: admin })).json()) as { agents: Array<{ id: string; url: string }> };
    expect(listed.agents.find((a) => a.id === agentId())?.url).toBe(`http://${ip}:8001`);
    // One log across both pods: offsets 1, 2, … with no gap, none stored twice, nothing lost.
    const mine = (await allEvents(hub, admin)).filter((e) => e.agent === agentId());
    expect(mine.map((e) => e.offset)).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
    expect(mine.filter((e) => e.type === 'lost')).toEqual([]);
    // The runtimes were not reported gone and back by the restart.
    expect(mine.filter((e) => e.type === 'runtime' && e.user === 'ann').length).toBe(1);
  }, 180_000);
});
