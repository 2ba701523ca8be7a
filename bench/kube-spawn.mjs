// bench/kube-spawn: nbhub on the project's Kubernetes control plane (scripts/kube-local.sh: real etcd,
// kube-apiserver, controller-manager, scheduler; the process kubelet as the only stand-in, running each pod's
// container as a local process).
// 1. starts: BENCH_KUBE_STARTS (100) runtimes started at once through the JupyterHub API, the container the
//    small HTTP server `nbhub/tiny-http` (so this measures nbhub and the API, not Jupyter): time to the last
//    ready (GET /hub/api/users polled every 500 ms, then each answered through the proxy), the hub's CPU, and
//    API requests per runtime started, counted on the API server's side (its audit log, the hub's own client
//    certificate): target <= 5, and no polling (no GET of a single pod).
// 2. watching: BENCH_KUBE_PODS (1000) labelled pods (Pending on a node selector nobody has) in the hub's
//    namespace, changed at BENCH_KUBE_CHANGES_PER_S (20/s) for BENCH_KUBE_WATCH_S (60) s: the hub's RSS and
//    CPU, against the same hub idle with no pods before; and the same for the shared watch alone (src/kube
//    in a process of its own, dist/kube/watches.js).
// KubeSpawner cannot be run here (no container runtime, no JupyterHub on Kubernetes), so its published
// figures are printed beside these as a reference, with their sources; they are not measured here.
// BENCH_KUBE_PARTS=starts,watch chooses the parts.
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSecondsOf } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { haveKubeBinaries, haveProcessKubelet, kubeBinDir, requestsBy, startCluster } from './lib/kube.mjs';
import { httpRequest } from './lib/load.mjs';
import { memoryOf, REPO, runBench, sleep, spawnTracked, tmpDir } from './lib/proc.mjs';
import { banner, fmt, info, ms, table, target } from './lib/report.mjs';

const STARTS = Number(process.env['BENCH_KUBE_STARTS'] ?? 100);
const PODS = Number(process.env['BENCH_KUBE_PODS'] ?? 1000);
const CHANGES_PER_S = Number(process.env['BENCH_KUBE_CHANGES_PER_S'] ?? 20);
const WATCH_S = Number(process.env['BENCH_KUBE_WATCH_S'] ?? 60);
const START_TIMEOUT_S = Number(process.env['BENCH_KUBE_START_TIMEOUT_S'] ?? 300);
const PARTS = (process.env['BENCH_KUBE_PARTS'] ?? 'starts,watch').split(',');
const NS = 'nbhub-bench';
const BENCH = 'kube-spawn';

// Published by others, not measured here (see bench/README.md for the sources).
const KUBESPAWNER_REFERENCE = [
  ['one start on a fast cluster (pod created → ready)', '~2-3 s; ~20 s with a persistent disk', 'jupyterhub/kubespawner#120 (2020), https://github.com/jupyterhub/kubespawner/issues/120'],
  ['2,000 users started (load test, 2017)', 'about 150 failed to start', 'jupyterhub/helm-chart#46, https://github.com/jupyterhub/helm-chart/issues/46'],
  ['concurrent spawns allowed by default', '64 (Z2JH concurrentSpawnLimit), 100 (JupyterHub)', 'jupyterhub/kubespawner#419, https://github.com/jupyterhub/kubespawner/issues/419'],
  ['API requests to learn pod states (before the reflector)', 'one GET per pod per poll_interval', 'jupyterhub/kubespawner#63, https://github.com/jupyterhub/kubespawner/pull/63'],
  ['event reflector at its worst', '~4,000 API requests per minute', 'jupyterhub/kubespawner#209, https://github.com/jupyterhub/kubespawner/issues/209'],
  ['hub memory with 35K events in its namespace', 'up to 1.5 GB (OOM at a 100 Mi limit)', 'jupyterhub/kubespawner#913 (2026), https://github.com/jupyterhub/kubespawner/issues/913'],
  ['hub CPU', 'caps at 1 CPU (one Python process), ~2 logins/s overloads it', 'neurohackademy/nh2020-jupyterhub#44, https://github.com/neurohackademy/nh2020-jupyterhub/issues/44'],
];

const kubeClient = async (kubeconfig) => {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { core: kc.makeApiClient(k8s.CoreV1Api), k8s };
};

/** Runs `fn` over `items` with at most `n` at a time. */
const pool = async (items, n, fn) => {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(n, queue.length) }, async () => {
    while (queue.length) await fn(queue.shift());
  }));
};

// The runtime: the process kubelet's `nbhub/tiny-http` image (test/kube/images.json), run by the profile's own
// command (without one the spawner gives the image JupyterLab's command line).
const hubConfig = (cluster) => ({
  spawner: { kind: 'kubernetes', default_profile: 'tiny' },
  kubernetes: { kubeconfig: cluster.hubKubeconfig, namespace: NS, image: 'nbhub/tiny-http:1', port: 8080 },
  profiles: { tiny: { command: ['node', join(REPO, 'test', 'kube', 'tiny-http.mjs')], readiness_path: '', start_timeout_seconds: START_TIMEOUT_S } },
});

const startsPart = async (cluster, core) => {
  console.log(`\n--- 1. ${STARTS} runtimes started at once (image nbhub/tiny-http) ---`);
  const hub = await startHub({ name: 'hub-starts', config: hubConfig(cluster) });
  const names = Array.from({ length: STARTS }, (_, i) => `u${String(i).padStart(3, '0')}`);
  await hub.api('POST', '/hub/api/users', { usernames: names }, { expect: [201] });
  await sleep(3000); // the hub's watches are open and quiet
  const before = new Set(cluster.audit().map((e) => e.auditID));
  const cpu0 = cpuSecondsOf(hub.pid);
  const t0 = performance.now();
  const posts = await Promise.all(names.map((u) => hub.api('POST', `/hub/api/users/${u}/server`, {})));
  const postMs = performance.now() - t0;
  const bad = posts.filter((r) => r.status !== 201 && r.status !== 202);
  if (bad.length) throw new Error(`${bad.length} starts refused, first: HTTP ${bad[0].status} ${bad[0].text.slice(0, 300)}`);
  const readyAt = new Map();
  const deadline = t0 + START_TIMEOUT_S * 1000;
  while (readyAt.size < names.length) {
    if (performance.now() > deadline) throw new Error(`only ${readyAt.size} of ${names.length} ready within ${START_TIMEOUT_S} s`);
    await sleep(500);
    const r = await hub.api('GET', '/hub/api/users', undefined, { expect: [200] });
    const now = performance.now() - t0;
    const body = JSON.parse(r.text);
    for (const u of Array.isArray(body) ? body : (body.items ?? [])) {
      if (names.includes(u.name) && u.servers?.['']?.ready && !readyAt.has(u.name)) readyAt.set(u.name, now);
    }
  }
  const lastReadyMs = Math.max(...readyAt.values());
  const hubCpuS = cpuSecondsOf(hub.pid) - cpu0;
  await sleep(2000); // the audit log is written in batches
  const reqs = requestsBy(cluster.audit(), cluster.hubUser, before);
  // Every runtime answers through the proxy (tiny-http says "ok").
  let answered = 0;
  await pool(names, 10, async (u) => {
    const r = await httpRequest('GET', `${hub.url}/user/${u}/`, { headers: hub.auth });
    if (r.status === 200 && r.text.startsWith('ok')) answered += 1;
  });
  const perStart = reqs.total / STARTS;
  const singleGets = Object.entries(reqs.byVerbResource).filter(([k]) => k === 'get pods').reduce((a, [, v]) => a + v, 0);
  const sorted = [...readyAt.values()].sort((a, b) => a - b);
  table([
    ['figure', 'value'],
    ['POSTs answered (all)', ms(postMs)],
    ['first ready', ms(sorted[0])],
    ['median ready', ms(sorted[Math.floor(sorted.length / 2)])],
    ['last ready', ms(lastReadyMs)],
    ['answered through the proxy', `${answered} / ${STARTS}`],
    ['hub CPU during the starts', `${fmt(hubCpuS, 2)} s (${fmt(hubCpuS / (lastReadyMs / 1000), 2)} cores)`],
    ['API requests by the hub (audit log)', `${reqs.total} (${fmt(perStart, 2)} per runtime)`],
  ]);
  console.log('  by verb and resource:');
  table([['request', 'count', 'per runtime'], ...Object.entries(reqs.byVerbResource).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v, fmt(v / STARTS, 2)])]);
  target(BENCH, `API requests per runtime started (${STARTS} at once)`, fmt(perStart, 2), '<= 5', perStart <= 5);
  target(BENCH, 'no polling: GETs of a single pod during the starts', String(singleGets), '0', singleGets === 0);
  info(BENCH, `${STARTS} starts: last ready`, ms(lastReadyMs));
  info(BENCH, `${STARTS} starts: hub CPU seconds`, fmt(hubCpuS, 2));
  if (answered !== STARTS) throw new Error(`${STARTS - answered} runtimes did not answer through the proxy`);
  await pool(names, 20, (u) => hub.api('DELETE', `/hub/api/users/${u}/server`));
  await hub.stop();
};

/** Samples a process's RSS and CPU over `seconds` while `during` runs. */
const measure = async (pid, seconds, during = async () => {}) => {
  const cpu0 = cpuSecondsOf(pid);
  const t0 = performance.now();
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, memoryOf(pid).rssMB)), 1000);
  await Promise.all([during(), sleep(seconds * 1000)]);
  clearInterval(sampler);
  const s = (performance.now() - t0) / 1000;
  return { cores: (cpuSecondsOf(pid) - cpu0) / s, rssMB: memoryOf(pid).rssMB, maxRssMB: Math.max(maxRss, memoryOf(pid).rssMB) };
};

const watchPart = async (cluster, core) => {
  console.log(`\n--- 2. the hub watching ${PODS} pods (Pending, changed ${CHANGES_PER_S}/s for ${WATCH_S} s) ---`);
  const watchers = [];
  const hubPossible = existsSync(join(REPO, 'dist', 'spawners', 'kubernetes'));
  if (hubPossible) {
    const hub = await startHub({ name: 'hub-watch', config: hubConfig(cluster) });
    watchers.push({ name: 'nbhub hub (spawner.kind kubernetes)', pid: hub.pid });
  } else console.log('(no dist/spawners/kubernetes in this build: the hub part is skipped, the watch alone is measured)');
  const dir = tmpDir('watch-alone');
  const alone = spawnTracked(process.execPath, [join(REPO, 'bench', 'lib', 'kube-watch-alone.mjs'), cluster.kubeconfig, NS], { log: join(dir, 'out.log'), cwd: dir });
  watchers.push({ name: 'the shared watch alone (src/kube)', pid: alone.pid });
  await sleep(5000);
  const rows = [['process', 'idle: RSS', 'idle: CPU', `${PODS} pods changing: RSS (max)`, 'CPU']];
  const idle = await Promise.all(watchers.map((w) => measure(w.pid, 15)));
  const labels = { 'app.kubernetes.io/managed-by': 'nbhub', 'app.kubernetes.io/component': 'runtime', 'app.kubernetes.io/instance': 'bench-foreign' };
  const t0 = performance.now();
  await pool(Array.from({ length: PODS }, (_, i) => i), 16, (i) =>
    core.createNamespacedPod({
      namespace: NS,
      body: {
        metadata: { name: `w-${i}`, labels: { ...labels, 'hub.nbhub.io/runtime': `w${i}` } },
        spec: { nodeSelector: { 'nbhub.io/bench': 'nowhere' }, containers: [{ name: 'c', image: 'nbhub/tiny-http:1' }], automountServiceAccountToken: false },
      },
    }),
  );
  console.log(`  ${PODS} pods created in ${ms(performance.now() - t0)}`);
  let changes = 0;
  const change = async () => {
    const end = performance.now() + WATCH_S * 1000;
    while (performance.now() < end) {
      const tick = performance.now();
      await Promise.all(Array.from({ length: CHANGES_PER_S }, () => {
        const i = Math.floor(Math.random() * PODS);
        changes += 1;
        return core.patchNamespacedPod({ namespace: NS, name: `w-${i}`, body: [{ op: 'add', path: '/metadata/annotations', value: { 'bench.nbhub.io/n': String(changes) } }] }).catch(() => undefined);
      }));
      await sleep(Math.max(0, 1000 - (performance.now() - tick)));
    }
  };
  const busy = await Promise.all(watchers.map((w, i) => measure(w.pid, WATCH_S, i === 0 ? change : undefined)));
  for (const [i, w] of watchers.entries()) {
    rows.push([w.name, `${fmt(idle[i].rssMB, 1)} MB`, `${fmt(idle[i].cores, 3)} cores`, `${fmt(busy[i].rssMB, 1)} MB (${fmt(busy[i].maxRssMB, 1)})`, `${fmt(busy[i].cores, 3)} cores`]);
    info(BENCH, `${w.name}: RSS watching ${PODS} pods`, `${fmt(busy[i].maxRssMB, 1)} MB`);
    info(BENCH, `${w.name}: CPU watching ${PODS} pods changing ${CHANGES_PER_S}/s`, `${fmt(busy[i].cores, 3)} cores`);
  }
  table(rows);
  console.log(`  ${changes} changes made`);
  await core.deleteCollectionNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/instance=bench-foreign', gracePeriodSeconds: 0 });
};

runBench(async () => {
  banner(
    'bench/kube-spawn',
    `nbhub on the project's control plane (kube-local.sh; the process kubelet runs each container as a local process). Parts: ${PARTS.join(', ')}. ` +
      'API requests are counted by the API server (audit log, the hub with its own client certificate).',
  );
  if (!haveKubeBinaries()) {
    console.log(`SKIPPED: no control-plane binaries in ${kubeBinDir()} (scripts/kube-local.sh build)`);
    return;
  }
  const needNode = PARTS.includes('starts');
  if (needNode && !haveProcessKubelet()) {
    console.log('SKIPPED part "starts": test/kube/process-kubelet.ts is not in this tree (nothing would run the pods)');
    PARTS.splice(PARTS.indexOf('starts'), 1);
  }
  const cluster = startCluster({ node: needNode && haveProcessKubelet(), pods: STARTS + 20 });
  const { core } = await kubeClient(cluster.kubeconfig);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  for (let i = 0; i < 100 && (await core.listNamespacedServiceAccount({ namespace: NS })).items.length === 0; i++) await sleep(200);
  if (PARTS.includes('starts')) await startsPart(cluster, core);
  if (PARTS.includes('watch')) await watchPart(cluster, core);

  console.log('\nKubeSpawner: published figures, NOT measured here (no container runtime or JupyterHub-on-Kubernetes run here); a reference only:');
  table([['what', 'published figure', 'source'], ...KUBESPAWNER_REFERENCE]);
  console.log('  (no published figure was found for 100 starts at once to the last ready, nor for API requests per start.)');
  cluster.down();
});
