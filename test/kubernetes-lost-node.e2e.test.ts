import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../src/kube/labels.js';
import { runtimeKey } from '../src/spawners/kubernetes/names.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';

/**
 * A runtime whose node is lost (KubeSpawner's zombies, #223 #714): the process kubelet (the node stand-in) is
 * killed and its Node deleted, as an autoscaler or an admin removes a dead machine; the REAL pod garbage
 * collector in kube-controller-manager deletes the pod. The hub ends the server with Kubernetes' reason, and
 * the next start makes a new pod on the same claim, with the files of the first.
 */
const missing = kubeMissing();
const NS = 'default';

// Appends a line to a file in its workspace at each start and serves that file: the claim's survival is visible.
const KEEPER = [
  'python3',
  '-c',
  "import http.server, sys, os\np = os.path.join(sys.argv[3], 'starts')\nopen(p, 'a').write('start\\n')\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200); self.end_headers(); self.wfile.write(open(p, 'rb').read())\n    def log_message(self, *a): pass\nhttp.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()",
  '{ip}',
  '{port}',
  '/home/jovyan/work',
];

const config = (kubeconfig: string) => `
spawner: kubernetes
kubernetes:
  kubeconfig: ${JSON.stringify(kubeconfig)}
  namespace: ${NS}
  storage_size: 100Mi
lifecycle:
  stop_grace_seconds: 2
profiles:
  keeper:
    command: ${JSON.stringify(KEEPER)}
    readiness_path: ''
    start_timeout_seconds: 120
    kubernetes:
      image: busybox:1.36
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing !== null)(`a runtime whose node is lost, on Kubernetes${missing ? ` (skipped: ${missing})` : ''}`, { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  let hub: TestHub;
  let token: string;
  let core: CoreV1Api;

  beforeAll(async () => {
    cluster = await startTestCluster({ node: { cpu: '4', memory: '8Gi' } });
    core = cluster.kc.makeApiClient(CoreV1Api);
    hub = await startTestHub({ config: config(cluster.kubeconfig) });
    token = hub.addUser('ann');
  }, 120_000);

  afterAll(async () => {
    await hub?.dispose();
    await cluster?.stop();
  }, 60_000);

  const path = '/hub/api/users/ann/servers/w';
  const model = async () => {
    const u = (await (await hub.api('/hub/api/users/ann?include_stopped_servers=1', { token })).json()) as { servers: Record<string, { nbhub: { state: string } }> };
    return u.servers['w'];
  };
  const waitState = async (states: string[], ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = await model();
      if (m && states.includes(m.nbhub.state)) return m;
      if (Date.now() > deadline) throw new Error(`never ${states.join('|')} (now ${JSON.stringify(m)}):\n${hub.output().slice(-3000)}\n${cluster.logs('kube-controller-manager').slice(-2000)}`);
      await sleep(250);
    }
  };
  const livePods = async (): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace: NS, labelSelector: `${LABELS.runtime}=${runtimeKey('ann', 'w').slice(0, 63)}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const served = async () => (await hub.api('/user/ann/w/', { token })).text();

  it('ends the server with the reason when its node is gone, and the next start mounts the same claim in a new pod', async () => {
    expect((await hub.api(path, { method: 'POST', token, body: { profile: 'keeper' } })).status).toBeLessThan(300);
    await waitState(['running'], 120_000);
    expect(await served()).toBe('start\n');
    const [first] = await livePods();
    const firstUid = first?.metadata?.uid;
    expect(firstUid).toBeTruthy();

    // The machine dies: its kubelet stops answering, and the dead Node is removed.
    await cluster.stopNode({ kill: true });
    await core.deleteNode({ name: cluster.node ?? 'node-1' });
    const lostAt = Date.now();
    const ended = await waitState(['failed', 'stopped'], 180_000);
    console.log(`server ended ${Math.round((Date.now() - lostAt) / 1000)} s after its node was deleted: ${JSON.stringify(ended.nbhub)}`);
    expect(await livePods()).toEqual([]);
    const logs = JSON.stringify(await (await hub.api(`${path}/logs`, { token })).json());
    // Kubernetes' own words: the pod garbage collector's DisruptionTarget reason, or the deletion itself.
    expect(logs).toMatch(/DeletionByPodGC|node no longer exists|the pod was deleted/);
    // …and the server says so itself, not "exited with status null".
    expect(JSON.stringify(ended.nbhub)).toMatch(/The runtime ended \((DeletionByPodGC|the pod was deleted)/);

    // A machine comes back (the node registers again) and the runtime starts there on the same claim.
    await cluster.startNode();
    expect((await hub.api(path, { method: 'POST', token, body: { profile: 'keeper' } })).status).toBeLessThan(300);
    await waitState(['running'], 120_000);
    const [second] = await livePods();
    expect(second?.metadata?.uid).toBeTruthy();
    expect(second?.metadata?.uid).not.toBe(firstUid);
    expect(await served()).toBe('start\nstart\n');
  });
});
