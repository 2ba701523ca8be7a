// bench/cluster-ui: a Spark cluster's UI pages through the hub's /clusters/{name}/ against the master's UI reached
// directly, in the same run (issue 19). The hub starts a cluster (a master and 2 workers, Spark from the pyspark
// package: scripts/install-deps.sh --spark); the bench loads the master's page and one worker's page (through the
// master's reverse proxy, /proxy/{workerId}/) N times sequentially, then N times at concurrency C, each way, and
// prints req/s, p50 and p99. Bounded: BENCH_CLUSTER_UI_N (200) requests per page, way and mode.
import { existsSync } from 'node:fs';
import { Agent } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHub } from './lib/hub.mjs';
import { httpRequest, summarize } from './lib/load.mjs';
import { cmdline, killMarked, markedProcesses, runBench, sleep } from './lib/proc.mjs';
import { banner, fmt, info, ms, table } from './lib/report.mjs';

const N = Number(process.env['BENCH_CLUSTER_UI_N'] ?? 200);
const CONCURRENCY = Number(process.env['BENCH_CLUSTER_UI_CONCURRENCY'] ?? 8);
const NAME = 'bench';

/** `n` GETs of `url`, `concurrency` at a time over kept-alive connections; every answer must be 200. */
const load = async (url, headers, n, concurrency) => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const samples = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < n) {
      next++;
      const r = await httpRequest('GET', url, { headers, agent });
      if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      samples.push(r.ms);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const s = summarize(samples);
  return { rps: (samples.length * 1000) / (performance.now() - t0), p50: s.p50, p99: s.p99 };
};

/** The master's UI origin, from its process's command line (the API never shows a cluster's inner ports). */
const masterUi = () => {
  for (const p of markedProcesses((env) => env['NBHUB_CLUSTER'] === NAME)) {
    const args = cmdline(p.pid);
    const i = args.indexOf('--webui-port');
    if (args.includes('org.apache.spark.deploy.master.Master') && i >= 0) return `http://127.0.0.1:${args[i + 1]}`;
  }
  throw new Error(`no master process of cluster ${NAME} found`);
};

/** Where scripts/install-deps.sh --spark puts Spark (config spark.home's default), or NBHUB_SPARK_HOME. */
const SPARK_HOME = process.env['NBHUB_SPARK_HOME'] || join(process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'nbhub', 'spark');

runBench(async () => {
  banner(
    'bench/cluster-ui',
    `GET of a Spark master's page and of a worker's page (through the master's reverse proxy), ${N} sequential then ${N} at ` +
      `concurrency ${CONCURRENCY}, kept-alive connections, each page and mode: directly at the master's UI, and through nbhub's ` +
      `/clusters/${NAME}/ with an API token (access check, prefix stripped, header policy, Location rewriting, one log line per request).`,
  );
  if (!existsSync(join(SPARK_HOME, 'pyspark', 'bin', 'spark-class'))) {
    console.log(`skipped: Spark is not installed in ${SPARK_HOME} (scripts/install-deps.sh --spark)`);
    return;
  }
  // At the log level users run with: each request through /clusters/ writes its line.
  const hub = await startHub({ config: { spark: { home: SPARK_HOME } }, env: { NBHUB_LOG_LEVEL: 'info' } });
  await hub.api('POST', '/hub/api/clusters', { name: NAME, kind: 'spark', workers: 2, worker_cores: 1, worker_memory: '1g' }, { expect: [200, 201] });
  await hub.api('POST', `/hub/api/clusters/${NAME}/start`, undefined, { expect: [200, 201, 202, 204] });
  const deadline = Date.now() + 180_000;
  for (;;) {
    const c = (await hub.api('GET', `/hub/api/clusters/${NAME}`)).json();
    if (c.state === 'running') break;
    if (c.state === 'failed') throw new Error(`cluster failed: ${c.failure}`);
    if (Date.now() > deadline) throw new Error(`cluster not running after 180 s (${c.state})`);
    await sleep(500);
  }
  const ui = masterUi();
  const workers = (await httpRequest('GET', `${ui}/json/`)).json().workers.filter((w) => w.state === 'ALIVE');
  if (workers.length < 2) throw new Error(`the master lists ${workers.length} live workers`);
  const worker = workers[0].id;
  console.log(`nbhub pid ${hub.pid} at ${hub.url}; master UI ${ui}; worker ${worker}`);

  const pages = [
    { page: 'master', direct: `${ui}/`, hub: `${hub.url}/clusters/${NAME}/` },
    { page: 'worker', direct: `${ui}/proxy/${worker}/`, hub: `${hub.url}/clusters/${NAME}/proxy/${worker}/` },
  ];
  const rows = [['page', 'mode', 'way', 'req/s', 'p50', 'p99', 'vs direct']];
  for (const p of pages) {
    for (const [mode, c] of [
      ['sequential', 1],
      [`concurrency ${CONCURRENCY}`, CONCURRENCY],
    ]) {
      // Warm both ways (JIT, Spark's page code, connections), then measure; the order alternates per page.
      await load(p.direct, {}, 20, c);
      await load(p.hub, hub.auth, 20, c);
      const ways = p.page === 'master' ? ['direct', 'hub'] : ['hub', 'direct'];
      const r = {};
      for (const w of ways) r[w] = await load(p[w], w === 'hub' ? hub.auth : {}, N, c);
      rows.push([p.page, mode, 'direct', fmt(r.direct.rps), ms(r.direct.p50), ms(r.direct.p99), '']);
      rows.push([p.page, mode, 'nbhub', fmt(r.hub.rps), ms(r.hub.p50), ms(r.hub.p99), `${(r.hub.rps / r.direct.rps).toFixed(2)}x req/s, p50 +${ms(r.hub.p50 - r.direct.p50)}`]);
      info('cluster-ui', `${p.page} page, ${mode}: nbhub vs direct`, `${fmt(r.hub.rps)} vs ${fmt(r.direct.rps)} req/s; p50 ${ms(r.hub.p50)} vs ${ms(r.direct.p50)}; p99 ${ms(r.hub.p99)} vs ${ms(r.direct.p99)}`);
    }
  }
  console.log('');
  table(rows);
  await hub.api('POST', `/hub/api/clusters/${NAME}/stop`, undefined);
  await hub.api('DELETE', `/hub/api/clusters/${NAME}`, undefined);
  await killMarked((env) => env['NBHUB_CLUSTER'] === NAME);
  await hub.stop();
});
