import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreV1Event, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';
import { imageDirs } from './kube/images.js';

/**
 * The process kubelet, the node stand-in of the test control plane (test/kube/), against the real
 * kube-apiserver, controller manager and scheduler: what the Kubernetes spawner, the node agent and the Helm
 * chart rely on. One cluster for the file; restarts back off from 1 s instead of a kubelet's 10 s.
 */
const missing = kubeMissing();
const NS = 'default';
let cluster: TestCluster;
let shared: string; // a hostPath folder the pods write their observations into

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process that exists and is not a zombie (an orphan killed by the kubelet waits for init to reap it). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const createPod = (spec: Record<string, unknown>) => cluster.api.post<V1Pod>(`/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', ...spec });
const getPod = (name: string) => cluster.api.find<V1Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ''}\n${cluster.logs('process-kubelet').slice(-3000)}`);
};

const waitPod = (name: string, ok: (p: V1Pod) => boolean, timeoutMs?: number) =>
  waitFor(`pod ${name}`, async () => {
    const p = await getPod(name);
    return p && ok(p) ? p : undefined;
  }, timeoutMs);

const events = async (name: string) =>
  (await cluster.api.get<{ items: CoreV1Event[] }>(`/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name}`)}`)).items;

const podLog = async (name: string, container?: string) => {
  const res = await cluster.api.getText(`/api/v1/namespaces/${NS}/pods/${name}/log${container ? `?container=${container}` : ''}`);
  return res;
};

const tinyHttp = (name: string, extra: Record<string, unknown> = {}) => ({
  metadata: { name, labels: { app: 'tiny' } },
  spec: {
    containers: [{
      name: 'http', image: 'nbhub/tiny-http:1',
      env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'PORT', value: '8080' }],
      readinessProbe: { httpGet: { port: 8080, path: '/' }, periodSeconds: 1 },
      ...extra,
    }],
  },
});

const running = (p: V1Pod) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const ended = (p: V1Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

describe.skipIf(missing)(`the process kubelet (node stand-in) on the real control plane${missing ? ` [skipped: ${missing}]` : ''}`, () => {
  beforeAll(async () => {
    shared = mkdtempSync(join(tmpdir(), 'nbhub-kubelet-test-'));
    cluster = await startTestCluster({ node: { cpu: '4', memory: '8Gi', pods: 50 }, backoffBaseMs: 1000 });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    rmSync(shared, { recursive: true, force: true });
  }, 60_000);

  it('registers a Ready node with the capacity it was given, and keeps its Lease', async () => {
    const node = await cluster.api.get<{ status: { capacity: Record<string, string>; addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[] } }>('/api/v1/nodes/node-1');
    expect(node.status.capacity).toMatchObject({ cpu: '4', memory: '8Gi', pods: '50' });
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: '127.0.0.1' });
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const lease = await cluster.api.get<{ spec: { holderIdentity: string } }>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1');
    expect(lease.spec.holderIdentity).toBe('node-1');
  });

  it('runs a pod that serves on its own address, with status, events and logs as a kubelet reports them', async () => {
    await createPod(tinyHttp('web-a'));
    const pod = await waitPod('web-a', running);
    const ip = pod.status!.podIP!;
    expect(ip).toMatch(/^127\.(\d+)\.(\d+)\.(\d+)$/);
    expect(ip.startsWith('127.0.')).toBe(false);
    expect(pod.status).toMatchObject({ hostIP: '127.0.0.1', podIPs: [{ ip }], qosClass: 'BestEffort' });
    expect(pod.status!.containerStatuses![0]).toMatchObject({ name: 'http', ready: true, restartCount: 0, started: true });
    expect(pod.status!.containerStatuses![0]!.state!.running?.startedAt).toBeTruthy();
    const types = pod.status!.conditions!.filter((c) => c.status === 'True').map((c) => c.type).sort();
    expect(types).toEqual(['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'PodScheduled', 'Ready']);
    const res = await fetch(`http://${ip}:8080/hello`);
    expect(await res.text()).toBe('ok web-a /hello\n');
    const want = ['default-scheduler:Scheduled', 'kubelet:Pulling', 'kubelet:Pulled', 'kubelet:Created', 'kubelet:Started'];
    await waitFor('the start events', async () => {
      const reasons = (await events('web-a')).map((e) => `${e.source?.component || e.reportingComponent}:${e.reason}`);
      return want.every((r) => reasons.includes(r));
    });
    const pulled = (await events('web-a')).find((e) => e.reason === 'Pulled');
    expect(pulled?.message).toMatch(/^Successfully pulled image "nbhub\/tiny-http:1" in [\d.]+s .*Image size: \d+ bytes\.$/);
    // Logs through the API server, which dials the node's kubelet port.
    expect(await podLog('web-a')).toContain(`tiny-http listening on ${ip}:8080`);
  });

  it('runs JupyterLab from the quay.io/jupyter/base-notebook stand-in on the pod\'s address', async () => {
    await createPod({
      metadata: { name: 'lab' },
      spec: {
        containers: [{
          name: 'notebook', image: 'quay.io/jupyter/base-notebook:2025-01-01',
          args: ['jupyter', 'lab', '--ip=$(POD_IP)', '--port=8888', '--allow-root', '--no-browser', '--IdentityProvider.token=t0k', '--ServerApp.root_dir=/home/jovyan/work'],
          env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'JUPYTER_RUNTIME_DIR', value: '/tmp/runtime' }],
          readinessProbe: { httpGet: { path: '/api', port: 8888 }, periodSeconds: 1 },
          volumeMounts: [{ name: 'work', mountPath: '/home/jovyan/work' }, { name: 'runtime', mountPath: '/tmp/runtime' }],
        }],
        volumes: [{ name: 'work', emptyDir: {} }, { name: 'runtime', emptyDir: {} }],
      },
    });
    const pod = await waitPod('lab', running, 60_000);
    const res = await fetch(`http://${pod.status!.podIP}:8888/api/contents?token=t0k`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 'directory', content: [] });
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/lab`);
    await waitFor('lab to go', async () => !(await getPod('lab')));
  }, 90_000);

  it('gives two pods listening on the same port different addresses', async () => {
    await createPod(tinyHttp('web-b'));
    const [a, b] = await Promise.all([waitPod('web-a', running), waitPod('web-b', running)]);
    expect(a.status!.podIP).not.toBe(b.status!.podIP);
    expect(await (await fetch(`http://${a.status!.podIP}:8080/`)).text()).toContain('web-a');
    expect(await (await fetch(`http://${b.status!.podIP}:8080/`)).text()).toContain('web-b');
  });

  it('puts each container in a kubelet-style cgroup named after the pod uid', async () => {
    const pod = await waitPod('web-a', running);
    const pidFile = join(cluster.dir, 'node-node-1', 'pods', pod.metadata!.uid!, 'http.pid');
    const cgroup = readFileSync(`/proc/${readFileSync(pidFile, 'utf8').trim()}/cgroup`, 'utf8');
    if (/process kubelet.*running pods without cgroups/.test(cluster.logs('process-kubelet'))) {
      expect(cgroup).not.toContain(`pod${pod.metadata!.uid}`); // this machine's cgroups are not writable: said in the log
      return;
    }
    expect(cgroup).toMatch(new RegExp(`memory:/kubepods/besteffort/pod${pod.metadata!.uid}/[0-9a-f]{64}`));
    expect(cgroup).toMatch(new RegExp(`cpuacct:/kubepods/besteffort/pod${pod.metadata!.uid}/[0-9a-f]{64}`));
  });

  it('puts a Guaranteed pod directly under kubepods with its memory limit, and an exceeded limit ends as OOMKilled', async () => {
    const limits = { cpu: '100m', memory: '64Mi' };
    await createPod(tinyHttp('guaranteed', { resources: { limits } }));
    const pod = await waitPod('guaranteed', running);
    expect(pod.status!.qosClass).toBe('Guaranteed');
    const uid = pod.metadata!.uid!;
    const pid = readFileSync(join(cluster.dir, 'node-node-1', 'pods', uid, 'http.pid'), 'utf8').trim();
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => /:memory:/.test(l));
    if (/running pods without cgroups/.test(cluster.logs('process-kubelet'))) return; // said in the node's log
    expect(line).toMatch(new RegExp(`:memory:/kubepods/pod${uid}/[0-9a-f]{64}$`));
    expect(readFileSync(`/sys/fs/cgroup/memory${line!.split(':')[2]}/memory.limit_in_bytes`, 'utf8').trim()).toBe(String(64 * 2 ** 20));
    await createPod({
      metadata: { name: 'hungry' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['python3', '-c', 'x = bytearray(512 * 1024 * 1024); print("survived")'], resources: { limits } }] },
    });
    const hungry = await waitPod('hungry', ended);
    expect(hungry.status!.phase).toBe('Failed');
    expect(hungry.status!.containerStatuses![0]!.state!.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    // The pod's cgroup folders go with it.
    await waitFor('the pod cgroup to be removed', async () => !existsSync(`/sys/fs/cgroup/memory/kubepods/pod${hungry.metadata!.uid}`));
  });

  it('reports exit codes and honours restartPolicy (Never, OnFailure with back-off)', async () => {
    await createPod({ metadata: { name: 'exit-3' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo bye; exit 3'] }] } });
    // Fails the first time (no marker yet in the pod's emptyDir), then succeeds.
    await createPod({
      metadata: { name: 'flaky' },
      spec: {
        restartPolicy: 'OnFailure',
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'if [ -f /scratch/once ]; then echo second; exit 0; fi; touch /scratch/once; echo first; exit 1'], volumeMounts: [{ name: 's', mountPath: '/scratch' }] }],
        volumes: [{ name: 's', emptyDir: {} }],
      },
    });
    const failed = await waitPod('exit-3', ended);
    expect(failed.status!.phase).toBe('Failed');
    expect(failed.status!.containerStatuses![0]!.state!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(await podLog('exit-3')).toBe('bye\n');
    const flaky = await waitPod('flaky', ended);
    expect(flaky.status!.phase).toBe('Succeeded');
    expect(flaky.status!.containerStatuses![0]).toMatchObject({ restartCount: 1, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
    expect((await events('flaky')).map((e) => e.reason)).toContain('BackOff');
  });

  it('restarts an Always container that exits, in CrashLoopBackOff between starts', async () => {
    await createPod({ metadata: { name: 'crashy' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 2'] }] } });
    const pod = await waitPod('crashy', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    expect(pod.status!.phase).toBe('Running');
    expect(pod.status!.containerStatuses![0]!.state!.waiting!.message).toMatch(/^back-off \d+s restarting failed container=c pod=crashy_default/);
  });

  it('restarts a container whose liveness probe fails (exec, in the container\'s mounts)', async () => {
    await createPod({
      metadata: { name: 'lively' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'c', image: 'busybox',
          command: ['sh', '-c', 'if [ -f /s/restarted ]; then touch /s/healthy; exec sleep 1000; fi; touch /s/restarted /s/healthy; sleep 2; rm /s/healthy; exec sleep 1000'],
          livenessProbe: { exec: { command: ['cat', '/s/healthy'] }, periodSeconds: 1, failureThreshold: 2 },
          volumeMounts: [{ name: 's', mountPath: '/s' }],
        }],
        volumes: [{ name: 's', emptyDir: {} }],
      },
    });
    const pod = await waitPod('lively', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) === 1 && !!p.status?.containerStatuses?.[0]?.state?.running);
    expect(pod.status!.containerStatuses![0]!.lastState!.terminated).toMatchObject({ exitCode: 143, signal: 15 });
    const messages = (await events('lively')).map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toContain('Killing: Container c failed liveness probe, will be restarted');
    expect(messages.some((m) => m.startsWith('Unhealthy: Liveness probe failed: cat: /s/healthy: No such file or directory'))).toBe(true);
  });

  it('runs init containers first, in order, and gives the downward API as env and files', async () => {
    await createPod({
      metadata: { name: 'downward', labels: { team: 'blue' }, annotations: { 'hub.nbhub.io/user': 'alice' } },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: 'default',
        initContainers: [
          { name: 'one', image: 'busybox', command: ['sh', '-c', 'echo one >> /w/order'], volumeMounts: [{ name: 'w', mountPath: '/w' }] },
          { name: 'two', image: 'busybox', command: ['sh', '-c', 'echo two >> /w/order'], volumeMounts: [{ name: 'w', mountPath: '/w' }] },
        ],
        containers: [{
          name: 'c', image: 'busybox', workingDir: '/w',
          command: ['sh', '-c', 'cat order; echo "$POD_NAME $POD_NS $POD_UID $NODE $SA $TEAM $USER_ANN $IP $HOST_IP"; echo "args $(POD_NAME)"; cat /info/labels; echo; cat /info/user; echo; pwd'],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
            { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
            { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
            { name: 'USER_ANN', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['hub.nbhub.io/user']" } } },
            { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          ],
          volumeMounts: [{ name: 'w', mountPath: '/w' }, { name: 'info', mountPath: '/info', readOnly: true }],
        }],
        volumes: [
          { name: 'w', emptyDir: {} },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'user', fieldRef: { fieldPath: "metadata.annotations['hub.nbhub.io/user']" } }] } },
        ],
      },
    });
    const pod = await waitPod('downward', ended);
    expect(pod.status!.phase).toBe('Succeeded');
    expect(pod.status!.initContainerStatuses!.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    const out = (await podLog('downward', 'c')).split('\n');
    expect(out.slice(0, 2)).toEqual(['one', 'two']);
    expect(out[2]).toBe(`downward default ${pod.metadata!.uid} node-1 default blue alice ${pod.status!.podIP} 127.0.0.1`);
    expect(out[3]).toBe('args downward');
    expect(out[4]).toBe('team="blue"');
    expect(out[5]).toBe('alice');
    expect(out[6]).toBe('/w');
  });

  it('reads secrets and config maps into env and files, and waits (CreateContainerConfigError) for a secret made after the pod', async () => {
    await cluster.api.post(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'settings' }, data: { MODE: 'fast', 'conf.ini': '[x]\n' } });
    await createPod({
      metadata: { name: 'secretive' },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'c', image: 'busybox',
          command: ['sh', '-c', 'echo "$TOKEN $MODE $CFG_MODE"; cat /s/token; echo; cat /cfg/renamed.ini'],
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'late-token', key: 'token' } } }],
          envFrom: [{ configMapRef: { name: 'settings' } }, { configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
          volumeMounts: [{ name: 's', mountPath: '/s' }, { name: 'cfg', mountPath: '/cfg' }],
        }],
        volumes: [
          { name: 's', secret: { secretName: 'late-token', optional: true } },
          { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'conf.ini', path: 'renamed.ini' }] } },
        ],
      },
    });
    const waiting = await waitPod('secretive', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
    expect(waiting.status!.containerStatuses![0]!.state!.waiting!.message).toBe('secret "late-token" not found');
    await cluster.api.post(`/api/v1/namespaces/${NS}/secrets`, { metadata: { name: 'late-token' }, stringData: { token: 's3cret' } });
    const pod = await waitPod('secretive', ended);
    expect(pod.status!.phase).toBe('Succeeded');
    // The secret volume was prepared (optional, empty) before the secret existed: env has it, the file does not.
    expect((await podLog('secretive')).split('\n')[0]).toBe('s3cret fast fast');
    expect(await podLog('secretive')).toContain('[x]');
  });

  it('gives a container the in-cluster API: service env and the service account token, CA and namespace files', async () => {
    const script = [
      "const fs=require('fs'),https=require('https');const d='/var/run/secrets/kubernetes.io/serviceaccount/';",
      "const req=https.get({host:process.env.KUBERNETES_SERVICE_HOST,port:process.env.KUBERNETES_SERVICE_PORT,path:'/api/v1/namespaces/'+fs.readFileSync(d+'namespace','utf8')+'/pods',",
      "ca:fs.readFileSync(d+'ca.crt'),headers:{authorization:'Bearer '+fs.readFileSync(d+'token','utf8')}},r=>{console.log('status',r.statusCode);r.resume()});",
      "req.on('error',e=>{console.log('error',e.message);process.exit(1)});",
    ].join('');
    await createPod({ metadata: { name: 'in-cluster' }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'nbhub/nbhub:dev', command: ['node', '-e', script] }] } });
    const pod = await waitPod('in-cluster', ended);
    // The default service account may not list pods (RBAC): 403 proves TLS with the CA and the token's authentication.
    expect(await podLog('in-cluster')).toBe('status 403\n');
    expect(pod.status!.phase).toBe('Succeeded');
  });

  it('mounts an emptyDir at /tmp without hiding the other volumes, whose sources are in the node\'s folder under /tmp', async () => {
    // The test cluster's node folder is under the temporary directory: bound first, /tmp would hide them.
    expect(cluster.dir.startsWith(`${tmpdir()}/`)).toBe(true);
    await cluster.api.post(`/api/v1/namespaces/${NS}/secrets`, { metadata: { name: 'under-tmp' }, stringData: { key: 'k3y' } });
    await createPod({
      metadata: { name: 'tmp-over' },
      spec: {
        restartPolicy: 'Never',
        containers: [{
          name: 'c', image: 'busybox',
          command: ['sh', '-c', 'cat /etc/under/key; echo; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace; echo; cat /tmp/nested/key; echo; ls -A /tmp; echo x > /tmp/scratch && echo written'],
          volumeMounts: [
            { name: 's', mountPath: '/etc/under', readOnly: true },
            { name: 's', mountPath: '/tmp/nested', readOnly: true },
            { name: 'scratch', mountPath: '/tmp' },
          ],
        }],
        volumes: [{ name: 's', secret: { secretName: 'under-tmp' } }, { name: 'scratch', emptyDir: {} }],
      },
    });
    const pod = await waitPod('tmp-over', ended);
    // The secret, the service account files and a secret mounted inside /tmp all read; /tmp is the (empty) emptyDir,
    // but for the image's own files bound back over it (images.ts imageDirs) when the checkout lives under /tmp (CI).
    const imageTops = new Set(imageDirs().filter((d) => d.startsWith('/tmp/')).map((d) => d.split('/')[2]));
    expect((await podLog('tmp-over')).split('\n').filter((l) => !imageTops.has(l))).toEqual(['k3y', NS, 'k3y', 'nested', 'written', '']);
    expect(pod.status!.phase).toBe('Succeeded');
  });

  it('deletes gracefully: SIGTERM reaches the process, then the kubelet removes the pod', async () => {
    const out = join(shared, 'graceful');
    await createPod({
      metadata: { name: 'graceful' },
      spec: {
        terminationGracePeriodSeconds: 20,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "echo got-TERM > /out/graceful; exit 0" TERM; echo up > /out/graceful; while true; do sleep 0.1; done'], volumeMounts: [{ name: 'o', mountPath: '/out' }] }],
        volumes: [{ name: 'o', hostPath: { path: shared } }],
      },
    });
    await waitPod('graceful', running);
    await waitFor('the pod to write "up"', async () => existsSync(out) && readFileSync(out, 'utf8') === 'up\n');
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/graceful`);
    await waitFor('the pod object to go', async () => !(await getPod('graceful')));
    expect(readFileSync(out, 'utf8')).toBe('got-TERM\n');
    expect((await events('graceful')).find((e) => e.reason === 'Killing')?.message).toBe('Stopping container c');
  });

  it('kills with SIGKILL after the grace period a process that ignores SIGTERM', async () => {
    await createPod({
      metadata: { name: 'stubborn' },
      spec: { terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; echo trapped; while true; do sleep 0.1; done'] }] },
    });
    const pod = await waitPod('stubborn', running);
    await waitFor('the trap to be set', async () => (await podLog('stubborn')) === 'trapped\n');
    const pid = Number(readFileSync(join(cluster.dir, 'node-node-1', 'pods', pod.metadata!.uid!, 'c.pid'), 'utf8'));
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/stubborn`);
    await sleep(1000);
    expect(alive(pid)).toBe(true); // still in its grace period
    await waitFor('the pod object to go', async () => !(await getPod('stubborn')));
    expect(alive(pid)).toBe(false);
  });

  it('brings the SIGKILL forward when a second delete shortens the grace period', async () => {
    await createPod({
      metadata: { name: 'shortened' },
      spec: { terminationGracePeriodSeconds: 600, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] }] },
    });
    await waitPod('shortened', running);
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/shortened`);
    await waitPod('shortened', (p) => !!p.metadata?.deletionTimestamp);
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/shortened`, { gracePeriodSeconds: 1 });
    await waitFor('the pod object to go', async () => !(await getPod('shortened')), 15_000);
  });

  it('fails an unknown image with ErrImagePull, then ImagePullBackOff, with the message a kubelet shows', async () => {
    await createPod({ metadata: { name: 'no-image' }, spec: { containers: [{ name: 'c', image: 'example.org/nope/nothing:1.0' }] } });
    const pod = await waitPod('no-image', (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''));
    expect(pod.status!.phase).toBe('Pending');
    expect(pod.status!.containerStatuses![0]!.state!.waiting!.message).toContain('code = NotFound desc = failed to pull and unpack image "example.org/nope/nothing:1.0"');
    const failed = await waitFor('a Failed event', async () => (await events('no-image')).find((e) => e.reason === 'Failed' && e.message?.startsWith('Failed to pull image')));
    expect(failed.type).toBe('Warning');
    expect(failed.message).toContain('not found');
    await waitPod('no-image', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    // A pod that never started can be deleted at once (a pending start stopped).
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/no-image`);
    await waitFor('no-image to go', async () => !(await getPod('no-image')), 10_000);
  });

  it('binds a claim through the real PV controller; a file written by one pod is read by the next', async () => {
    await cluster.api.post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
      metadata: { name: 'work' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const claim = await waitFor('the claim to bind', async () => {
      const c = await cluster.api.get<V1PersistentVolumeClaim>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/work`);
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    expect(claim.spec!.storageClassName).toBe('nbhub-local'); // the default class
    const pv = await cluster.api.get<V1PersistentVolume>(`/api/v1/persistentvolumes/${claim.spec!.volumeName}`);
    expect(pv.metadata!.annotations!['pv.kubernetes.io/provisioned-by']).toBe('nbhub.io/process-kubelet');
    expect(claim.metadata!.annotations!['pv.kubernetes.io/bind-completed']).toBe('yes'); // bound by kube-controller-manager
    const mount = { volumeMounts: [{ name: 'd', mountPath: '/home/jovyan/work' }] };
    const volumes = [{ name: 'd', persistentVolumeClaim: { claimName: 'work' } }];
    await createPod({ metadata: { name: 'writer' }, spec: { restartPolicy: 'Never', volumes, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo kept > /home/jovyan/work/notes.txt'], ...mount }] } });
    expect((await waitPod('writer', ended)).status!.phase).toBe('Succeeded');
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/writer`);
    await waitFor('writer to go', async () => !(await getPod('writer')));
    await createPod({ metadata: { name: 'reader' }, spec: { restartPolicy: 'Never', volumes, containers: [{ name: 'c', image: 'busybox', command: ['cat', '/home/jovyan/work/notes.txt'], ...mount }] } });
    expect((await waitPod('reader', ended)).status!.phase).toBe('Succeeded');
    expect(await podLog('reader')).toBe('kept\n');
    // The mount lived in the container's own mount namespace: nothing of it on the machine.
    expect(existsSync('/home/jovyan/work/notes.txt')).toBe(false);
    // Released with reclaimPolicy Delete: the provisioner stand-in deletes the PV and its folder.
    await cluster.api.delete(`/api/v1/namespaces/${NS}/pods/reader`);
    await waitFor('reader to go', async () => !(await getPod('reader')));
    await cluster.api.delete(`/api/v1/namespaces/${NS}/persistentvolumeclaims/work`);
    await waitFor('the PV to be deleted', async () => !(await cluster.api.find(`/api/v1/persistentvolumes/${pv.metadata!.name}`)));
    expect(existsSync(pv.spec!.hostPath!.path)).toBe(false);
  });

  it('leaves a claim of a storage class that does not exist Pending, with the controller\'s reason', async () => {
    await cluster.api.post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
      metadata: { name: 'nowhere' }, spec: { storageClassName: 'no-such-class', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const ev = await waitFor('the claim\'s event', async () => (await events('nowhere')).find((e) => e.reason === 'ProvisioningFailed'));
    expect(ev.message).toContain('storageclass.storage.k8s.io "no-such-class" not found');
    const c = await cluster.api.get<V1PersistentVolumeClaim>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/nowhere`);
    expect(c.status!.phase).toBe('Pending');
  });

  it('leaves a pod asking for more CPU than the node has Pending, with the scheduler\'s reason', async () => {
    await createPod({ metadata: { name: 'too-big' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '60'], resources: { requests: { cpu: '64' } } }] } });
    const ev = await waitFor('FailedScheduling', async () => (await events('too-big')).find((e) => e.reason === 'FailedScheduling'));
    expect(ev.message).toContain('Insufficient cpu');
    const pod = await getPod('too-big');
    expect(pod!.status!.phase).toBe('Pending');
    expect(pod!.spec!.nodeName).toBeUndefined();
    expect(pod!.status!.conditions!.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
  });

  it('ends the pods of a node whose kubelet was killed and came back as NodeRestarted', async () => {
    await createPod(tinyHttp('survivor'));
    const pod = await waitPod('survivor', running);
    const pid = Number(readFileSync(join(cluster.dir, 'node-node-1', 'pods', pod.metadata!.uid!, 'http.pid'), 'utf8'));
    await cluster.stopNode({ kill: true });
    expect(alive(pid)).toBe(true); // a lost kubelet does not stop its containers
    await cluster.startNode();
    const after = await waitPod('survivor', ended);
    expect(after.status).toMatchObject({ phase: 'Failed', reason: 'NodeRestarted' });
    expect(alive(pid)).toBe(false);
    expect(await podLog('survivor')).toContain('tiny-http listening on'); // an ended pod's logs are kept
    // The node runs new pods again.
    await createPod(tinyHttp('after-restart'));
    await waitPod('after-restart', running);
  }, 90_000);
});
