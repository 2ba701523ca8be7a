import { CoreV1Api, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../src/kube/labels.js';
import { namesOf, runtimeKey } from '../src/spawners/kubernetes/names.js';
import { networkPolicyName } from '../src/spawners/kubernetes/objects.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';

/**
 * nbhub with spawner.kind kubernetes, end to end on the real control plane (scripts/kube-local.sh), the pods run
 * by the process kubelet (the node stand-in, test/kube/), JupyterLab in the pod (the image stand-in maps
 * quay.io/jupyter/* to the JupyterLab scripts/install-deps.sh installs). One cluster and one hub for the file.
 */
const missing = kubeMissing();
const NS = 'default';

// A small HTTP server as a runtime, for the cases that need no Jupyter (names).
const TINY = ['python3', '-c', "import http.server, sys\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n    def log_message(self, *a): pass\nhttp.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()", '{ip}', '{port}'];

const config = (kubeconfig: string) => `
spawner: kubernetes
kubernetes:
  kubeconfig: ${JSON.stringify(kubeconfig)}
  namespace: ${NS}
  storage_size: 100Mi
lifecycle:
  stop_grace_seconds: 3
profiles:
  default:
    start_timeout_seconds: 120
  tiny:
    command: ${JSON.stringify(TINY)}
    readiness_path: ''
    kubernetes:
      image: busybox:1.36
  unpullable:
    start_timeout_seconds: 120
    kubernetes:
      image: registry.invalid/nbhub/no-such-image:1
  huge:
    start_timeout_seconds: 120
    kubernetes:
      cpu_request: '64'
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing !== null)(`nbhub on Kubernetes${missing ? ` (skipped: ${missing})` : ''}`, { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  let hub: TestHub;
  let token: string;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startTestCluster({ node: { cpu: '4', memory: '8Gi' } });
    core = cluster.kc.makeApiClient(CoreV1Api);
    hub = await startTestHub({ config: config(cluster.kubeconfig) });
    hub.addUser('root', { admin: true });
    token = hub.addUser('ann');
  }, 120_000);

  afterAll(async () => {
    await hub?.dispose();
    await cluster?.stop();
  }, 60_000);

  const serverPath = (user: string, server: string) => `/hub/api/users/${user}/${server === '' ? 'server' : `servers/${server}`}`;
  const model = async (user: string, server: string, tok = token) => {
    const u = (await (await hub.api(`/hub/api/users/${user}?include_stopped_servers=1`, { token: tok })).json()) as { servers: Record<string, { ready: boolean; nbhub: { state: string; message?: string | null } }> };
    return u.servers[server];
  };
  const waitState = async (user: string, server: string, states: string[], ms = 150_000, tok = token) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await model(user, server, tok);
      if (m && states.includes(m.nbhub.state)) return m;
      if (Date.now() > deadline) throw new Error(`${user}/${server} never reached ${states.join('|')} (now ${JSON.stringify(m)}):\n${hub.output().slice(-4000)}\n${cluster.logs('process-kubelet').slice(-3000)}`);
      await sleep(250);
    }
  };
  const podsOf = async (user: string, server: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace: NS, labelSelector: `${LABELS.runtime}=${runtimeKey(user, server).slice(0, 63)}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const claimsOf = async (user: string, server: string) =>
    (await core.listNamespacedPersistentVolumeClaim({ namespace: NS, labelSelector: `${LABELS.runtime}=${runtimeKey(user, server).slice(0, 63)}` })).items;

  /** Reads the progress stream until it ends, while the start goes on. */
  const progress = async (user: string, server: string, tok = token): Promise<Array<{ progress: number; message: string; failed?: boolean; ready?: boolean }>> => {
    const res = await hub.api(`${serverPath(user, server)}/progress`, { token: tok });
    const events: Array<{ progress: number; message: string }> = [];
    if (!res.ok || !res.body) return events;
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const data = buf.slice(0, end).split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        buf = buf.slice(end + 2);
        if (data !== '') events.push(JSON.parse(data) as { progress: number; message: string });
      }
    }
    return events;
  };

  const begin = async (user: string, server: string, profile?: string, tok = token) => {
    const r = await hub.api(serverPath(user, server), { method: 'POST', token: tok, body: profile ? { profile } : {}, headers: { prefer: 'respond-async' } });
    expect([201, 202]).toContain(r.status);
  };

  const run = async (user: string, server: string, code: string, tok = token) => {
    const m = managers(jupyterSettings(hub.url, `/user/${user}/${server === '' ? '' : `${server}/`}`, tok));
    try {
      const kernel = await m.kernels.startNew({ name: 'python3' });
      const out = await execute(kernel, code);
      await kernel.shutdown();
      return out;
    } finally {
      m.dispose();
    }
  };

  it('starts JupyterLab in a pod through the JupyterHub API, with start progress from the pod\'s events, and runs code through the proxy', async () => {
    await begin('ann', 'lab');
    const events = await progress('ann', 'lab');
    expect(events.at(-1)).toMatchObject({ ready: true });
    // The events the pod had while starting (Scheduled, Pulling/Pulled with the image size, Created, Started …).
    const lines = events.map((e) => e.message);
    expect(lines.some((l) => l.startsWith('[kubernetes pod] Scheduled'))).toBe(true);
    expect(lines.some((l) => /\[kubernetes pod\] (Pulled|Pulling)/.test(l))).toBe(true);
    await waitState('ann', 'lab', ['running']);
    const out = await run('ann', 'lab', "import os\nopen('kept.txt', 'w').write('kept across stop and start')\nprint(os.getcwd(), os.environ.get('NBHUB_RUNTIME'))");
    expect(out).toMatchObject({ status: 'ok', output: '/home/jovyan/work ann/lab\n' });
    const pods = await podsOf('ann', 'lab');
    expect(pods).toHaveLength(1);
    expect(pods[0]?.metadata?.name).toBe(namesOf('ann', 'lab').pod);
  });

  it('keeps the runtime\'s token in a Secret owned by the pod (not in its spec), and lets only the hub and agents in (NetworkPolicy)', async () => {
    const [pod] = await podsOf('ann', 'lab');
    const secrets = (await core.listNamespacedSecret({ namespace: NS, labelSelector: `${LABELS.runtime}=${runtimeKey('ann', 'lab').slice(0, 63)}` })).items;
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', uid: pod?.metadata?.uid })]);
    const tokenValue = Buffer.from(secrets[0]?.data?.['token'] ?? '', 'base64').toString();
    expect(tokenValue.length).toBeGreaterThanOrEqual(16);
    expect(JSON.stringify(pod?.spec)).not.toContain(tokenValue);
    const policies = (await cluster.kc.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: NS })).items;
    const np = policies.find((p) => p.metadata?.name?.startsWith('nbhub-runtimes-'));
    expect(np?.spec?.podSelector?.matchLabels?.[LABELS.component]).toBe('runtime');
    expect(np?.spec?.ingress?.[0]?._from?.map((f) => f.podSelector?.matchLabels?.[LABELS.component])).toEqual(['hub', 'agent']);
    expect(np?.metadata?.name).toMatch(/^nbhub-runtimes-[0-9a-f]{8}$/);
    expect(networkPolicyName('x')).toMatch(/^nbhub-runtimes-/);
  });

  it('adopts the pod after the hub is killed with SIGKILL and restarted (same uid)', async () => {
    const [before] = await podsOf('ann', 'lab');
    await hub.kill('SIGKILL');
    await hub.restart();
    await waitState('ann', 'lab', ['running']);
    const after = await podsOf('ann', 'lab');
    expect(after.map((p) => p.metadata?.uid)).toEqual([before?.metadata?.uid]);
    expect((await run('ann', 'lab', "print(open('kept.txt').read())")).output).toBe('kept across stop and start\n');
  });

  it('stop deletes the pod and keeps the claim; the next start mounts the same claim in a new pod', async () => {
    const [before] = await podsOf('ann', 'lab');
    expect((await hub.api(serverPath('ann', 'lab'), { method: 'DELETE', token })).status).toBeLessThan(300);
    await waitState('ann', 'lab', ['stopped']);
    await expect.poll(async () => (await podsOf('ann', 'lab')).length, { timeout: 30_000 }).toBe(0);
    expect(await claimsOf('ann', 'lab')).toHaveLength(1);
    await begin('ann', 'lab');
    await waitState('ann', 'lab', ['running']);
    const [after] = await podsOf('ann', 'lab');
    expect(after?.metadata?.uid).not.toBe(before?.metadata?.uid);
    expect((await run('ann', 'lab', "print(open('kept.txt').read())")).output).toBe('kept across stop and start\n');
  });

  it('remove deletes the claim', async () => {
    expect((await hub.api(serverPath('ann', 'lab'), { method: 'DELETE', token, body: { remove: true } })).status).toBeLessThan(300);
    await expect.poll(async () => (await model('ann', 'lab')) === undefined, { timeout: 60_000 }).toBe(true);
    await expect.poll(async () => (await claimsOf('ann', 'lab')).filter((c) => !c.metadata?.deletionTimestamp).length, { timeout: 30_000 }).toBe(0);
  });

  it('fails an unpullable image and an unschedulable request fast, with Kubernetes\' reason', async () => {
    for (const [server, profile, reason] of [
      ['bad', 'unpullable', /ErrImagePull|ImagePullBackOff/],
      ['big', 'huge', /Unschedulable: 0\/1 nodes are available: .*Insufficient cpu/],
    ] as const) {
      const t0 = Date.now();
      await begin('ann', server, profile);
      const m = await waitState('ann', server, ['failed', 'stopped'], 100_000);
      const seconds = (Date.now() - t0) / 1000;
      console.log(`kubernetes.e2e: ${profile} failed after ${seconds.toFixed(1)} s: ${m?.nbhub.message ?? ''}`);
      expect(m?.nbhub.state).toBe('failed');
      expect(m?.nbhub.message ?? '').toMatch(reason);
      // Before the start timeout (120 s): the reason ended it, not the clock.
      expect(m?.nbhub.message ?? '').not.toMatch(/start_timeout_seconds/);
      await expect.poll(async () => (await podsOf('ann', server)).length, { timeout: 30_000 }).toBe(0);
    }
  });

  it('maps unsafe and colliding names to valid, distinct objects (alice-x\'s default server, alice\'s server x)', async () => {
    const aliceX = hub.addUser('alice-x');
    const alice = hub.addUser('alice');
    await begin('alice-x', '', 'tiny', aliceX);
    await begin('alice', 'x', 'tiny', alice);
    await waitState('alice-x', '', ['running'], 60_000, aliceX);
    await waitState('alice', 'x', ['running'], 60_000, alice);
    const a = await podsOf('alice-x', '');
    const b = await podsOf('alice', 'x');
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]?.metadata?.name).not.toBe(b[0]?.metadata?.name);
    expect((await claimsOf('alice-x', ''))[0]?.metadata?.name).not.toBe((await claimsOf('alice', 'x'))[0]?.metadata?.name);
    expect(a[0]?.metadata?.annotations).toMatchObject({ 'hub.nbhub.io/user': 'alice-x', 'hub.nbhub.io/server': '' });
    expect(b[0]?.metadata?.annotations).toMatchObject({ 'hub.nbhub.io/user': 'alice', 'hub.nbhub.io/server': 'x' });
    for (const p of [...a, ...b]) expect(p.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
