import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { type Api, createApi, listWatch } from './api.js';
import { cgroupsWritable, removePodCgroups } from './cgroups.js';
import { mountNamespacesUsable } from './container.js';
import { createRecorder } from './events.js';
import { loadImages } from './images.js';
import { startLogServer } from './log-server.js';
import { keepAlive, registerNode } from './node.js';
import { releaseAllMine, releaseIp } from './pod-ips.js';
import { type NodeContext, PodWorker } from './pod-worker.js';
import { ensureStorageClass, startProvisioner } from './provisioner.js';

/**
 * The process kubelet: the node stand-in of the project's test control plane (scripts/kube-local.sh). It
 * registers a Node, keeps it alive, and runs the pods bound to it as local process groups (pod-worker.ts);
 * with it run the claim provisioner stand-in (provisioner.ts) and the registry stand-in (images.json).
 *
 *   node --import tsx test/kube/process-kubelet.ts --kubeconfig F --node NAME --dir D [--cpu N] [--memory Q]
 *     [--pods N] [--pull-delay-ms MS] [--backoff-base-ms MS] [--no-provisioner]
 */
const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    node: { type: 'string', default: 'node-1' },
    dir: { type: 'string' },
    cpu: { type: 'string', default: '4' },
    memory: { type: 'string', default: '16Gi' },
    pods: { type: 'string', default: '110' },
    'pull-delay-ms': { type: 'string', default: process.env['NBHUB_KUBELET_PULL_DELAY_MS'] ?? '0' },
    'backoff-base-ms': { type: 'string', default: process.env['NBHUB_KUBELET_BACKOFF_BASE_MS'] ?? '10000' },
    'no-provisioner': { type: 'boolean', default: false },
  },
});
if (!args.kubeconfig || !args.dir) {
  console.error('usage: process-kubelet.ts --kubeconfig F --node NAME --dir D [--cpu N] [--memory Q] [--pods N]');
  process.exit(2);
}
const NODE = args.node;
const DIR = args.dir;
const log = (msg: string) => console.log(`${new Date().toISOString()} process-kubelet ${NODE}: ${msg}`);

const kc = new KubeConfig();
kc.loadFromFile(args.kubeconfig);
const api = await createApi(kc);
const caFile = kc.getCurrentCluster()?.caFile;
const caCert = caFile ? readFileSync(caFile, 'utf8') : Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString();

const b64map = (data: Record<string, string> | undefined) =>
  Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

const workers = new Map<string, PodWorker>();
const byName = (ns: string, name: string) => [...workers.values()].find((w) => w.pod.metadata?.namespace === ns && w.pod.metadata?.name === name);

const logs = await startLogServer(DIR, (ns, name, container) => {
  const w = byName(ns, name);
  if (w) {
    const c = container ?? w.pod.spec?.containers[0]?.name;
    return { file: join(DIR, 'pods', w.pod.metadata!.uid!, `${c}.log`), live: () => !w.finished };
  }
  // A pod that ended before this kubelet restarted: its logs are kept until the pod object goes.
  const uid = keptPods().find((p) => p.namespace === ns && p.name === name)?.uid;
  return uid && container ? { file: join(DIR, 'pods', uid, `${container}.log`), live: () => false } : undefined;
});

/** Pod folders without a worker (pods that ended before a restart), from their pod.json. */
function keptPods(): { namespace: string; name: string; uid: string }[] {
  const root = join(DIR, 'pods');
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((uid) => !workers.has(uid)).flatMap((uid) => {
    try {
      return [{ ...(JSON.parse(readFileSync(join(root, uid, 'pod.json'), 'utf8')) as { namespace: string; name: string }), uid }];
    } catch {
      return [];
    }
  });
}

const dropPodDir = (uid: string) => rmSync(join(DIR, 'pods', uid), { recursive: true, force: true });

const cgroupProblem = cgroupsWritable();
if (cgroupProblem) log(`running pods without cgroups: ${cgroupProblem}`);
const mountsUnusable = mountNamespacesUsable();
if (mountsUnusable) log(`pods with volume mounts will fail: ${mountsUnusable}`);
log('CPU limits are not enforced (no CFS quota); memory limits are (memory.limit_in_bytes)');

const allocatable = { cpu: args.cpu, memory: args.memory, pods: args.pods };
const node = await registerNode(api, { name: NODE, ...allocatable, kubeletPort: logs.port });
const stopHeartbeat = keepAlive(api, { name: NODE, ...allocatable, kubeletPort: logs.port }, node, log);
log(`registered node ${NODE} (kubelet port ${logs.port})`);

const stop = new AbortController();
await ensureStorageClass(api).catch((err: unknown) => log(`storage class: ${(err as Error).message}`));
if (!args['no-provisioner']) startProvisioner(api, DIR, log, stop.signal);

const ctx: NodeContext = {
  api,
  node: NODE,
  dir: DIR,
  record: createRecorder(api, NODE, log),
  log,
  images: loadImages(),
  pulled: new Set(),
  pullDelayMs: Number(args['pull-delay-ms']),
  backoffBaseMs: Number(args['backoff-base-ms']),
  lookup: {
    secret: async (ns, name) => {
      const s = await api.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`);
      return s && b64map(s.data);
    },
    configMap: async (ns, name) => {
      const c = await api.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${name}`);
      return c && (c.data ?? {});
    },
  },
  token: async (pod, audience, expirationSeconds) => {
    const sa = pod.spec?.serviceAccountName ?? 'default';
    const res = await api.post<{ status: { token: string } }>(`/api/v1/namespaces/${pod.metadata!.namespace}/serviceaccounts/${sa}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        ...(audience ? { audiences: [audience] } : {}),
        expirationSeconds: expirationSeconds ?? 3607,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid },
      },
    });
    return res.status.token;
  },
  caCert,
  apiPort: api.server.port || '443',
  cgroups: !cgroupProblem,
  mountsUnusable,
  allocatable,
};

await endLeftovers(api);

const onPod = (pod: V1Pod) => {
  const uid = pod.metadata!.uid!;
  let w = workers.get(uid);
  const deleting = !!pod.metadata?.deletionTimestamp;
  if (!w) {
    const phase = pod.status?.phase;
    if (deleting || phase === 'Succeeded' || phase === 'Failed') {
      // Nothing of it runs here: a terminal or never-started pod being deleted only needs the final delete.
      if (deleting) {
        dropPodDir(uid);
        void api.delete(`/api/v1/namespaces/${pod.metadata!.namespace}/pods/${pod.metadata!.name}`, { gracePeriodSeconds: 0, preconditions: { uid } }).catch(() => {});
      }
      return;
    }
    w = new PodWorker(pod, ctx);
    workers.set(uid, w);
    log(`starting pod ${pod.metadata!.namespace}/${pod.metadata!.name}`);
    void w.run();
  } else {
    w.update(pod);
  }
  if (deleting) {
    const worker = w;
    void worker.terminate(pod.metadata!.deletionGracePeriodSeconds ?? 30, true).then(() => workers.delete(uid));
  }
};

const onGone = (uid: string) => {
  const w = workers.get(uid);
  if (!w) {
    dropPodDir(uid);
    return;
  }
  workers.delete(uid);
  w.killNow();
  void w.terminate(0, false).then(() => dropPodDir(uid));
};

void listWatch<V1Pod>(api, '/api/v1/pods', `fieldSelector=${encodeURIComponent(`spec.nodeName=${NODE}`)}`, {
  sync: (pods) => {
    const seen = new Set(pods.map((p) => p.metadata!.uid!));
    for (const uid of [...workers.keys(), ...keptPods().map((p) => p.uid)]) if (!seen.has(uid)) onGone(uid);
    pods.forEach(onPod);
  },
  event: (ev) => (ev.type === 'DELETED' ? onGone(ev.object.metadata!.uid!) : onPod(ev.object)),
  error: (err) => log(`pod watch: ${(err as Error).message}`),
}, stop.signal);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  log('stopping: killing the pods\' processes');
  stop.abort();
  stopHeartbeat();
  for (const w of workers.values()) w.killNow();
  releaseAllMine();
  logs.close();
  // The cgroup folders can go once the killed processes have left them.
  const uids = [...workers.keys()];
  void Promise.all(cgroupProblem ? [] : uids.map((uid) => removePodCgroups(uid, 2000))).finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

/**
 * Pods this node ran before it restarted: their processes are killed (pid files under DIR/pods) and the pods
 * set Failed with reason NodeRestarted, as pods of a rebooted node end.
 */
async function endLeftovers(api: Api) {
  const root = join(DIR, 'pods');
  if (!existsSync(root)) return;
  for (const uid of readdirSync(root)) {
    const podDir = join(root, uid);
    for (const f of readdirSync(podDir).filter((f) => f.endsWith('.pid'))) {
      const pid = Number(readFileSync(join(podDir, f), 'utf8'));
      const cgroup = (() => {
        try {
          return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
        } catch {
          return undefined;
        }
      })();
      // Only a process still in this pod's cgroup (or any, where there are no cgroups): pids are reused.
      if (cgroup !== undefined && (cgroupProblem || cgroup.includes(`pod${uid}`))) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch { /* gone */ }
      }
    }
    if (!cgroupProblem && !(await removePodCgroups(uid))) log(`cgroups of leftover pod ${uid} still busy`);
    const ipFile = join(podDir, 'ip');
    if (existsSync(ipFile)) releaseIp(readFileSync(ipFile, 'utf8').trim());
    try {
      const meta = JSON.parse(readFileSync(join(podDir, 'pod.json'), 'utf8')) as { namespace: string; name: string };
      const pod = await api.find<V1Pod>(`/api/v1/namespaces/${meta.namespace}/pods/${meta.name}`);
      if (pod?.metadata?.uid === uid && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') {
        const ended = (s: { name: string; image: string }) => ({
          name: s.name, image: s.image, imageID: '', ready: false, restartCount: 0, started: false,
          state: { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The node was restarted' } },
        });
        await api.patch(`/api/v1/namespaces/${meta.namespace}/pods/${meta.name}/status`, {
          metadata: { uid },
          status: {
            phase: 'Failed', reason: 'NodeRestarted', message: `Node ${NODE} was restarted while the pod ran`,
            containerStatuses: (pod.status?.containerStatuses ?? pod.spec!.containers.map((c) => ({ name: c.name, image: c.image ?? '' }))).map(ended),
          },
        }, 'strategic');
        log(`pod ${meta.namespace}/${meta.name} ended: NodeRestarted`);
      }
      if (pod?.metadata?.uid === uid && pod.metadata.deletionTimestamp) {
        await api.delete(`/api/v1/namespaces/${meta.namespace}/pods/${meta.name}`, { gracePeriodSeconds: 0, preconditions: { uid } });
      } else if (pod?.metadata?.uid === uid) {
        // Kept for its logs while the pod object exists (`kubectl logs` of an ended pod), as a kubelet keeps them.
        for (const f of readdirSync(podDir).filter((f) => f.endsWith('.pid') || f === 'ip')) rmSync(join(podDir, f), { force: true });
        continue;
      }
    } catch (err) {
      log(`leftover pod ${uid}: ${(err as Error).message}`);
    }
    rmSync(podDir, { recursive: true, force: true });
  }
}
