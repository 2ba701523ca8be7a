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
const BLOCKS = 4;
const NAME = 'bench';

/** `n` GETs of `url`, `concurrency` at a time over the agent's kept-alive connections; every answer must be 200. */
const load = async (url, headers, n, concurrency, agent) => {
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
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { samples, elapsedMs: performance.now() - t0 };
};

/**
 * Both ways in BLOCKS alternating blocks each (direct, hub, hub, direct, …), so neither gets the quieter or the
 * warmer half of a noisy machine; `n` requests per way in all. req/s: requests over the time their blocks took.
 */
const compare = async (ways, n, concurrency) => {
  const per = Math.ceil(n / BLOCKS);
  const got = Object.fromEntries(ways.map((w) => [w.name, { samples: [], elapsedMs: 0 }]));
  for (let b = 0; b < BLOCKS; b++) {
    for (const w of b % 2 === 0 ? ways : [...ways].reverse()) {
      const r = await load(w.url, w.headers, per, concurrency, w.agent);
      got[w.name].samples.push(...r.samples);
      got[w.name].elapsedMs += r.elapsedMs;
    }
  }
  return Object.fromEntries(
    Object.entries(got).map(([name, g]) => {
      const s = summarize(g.samples);
      return [name, { rps: (g.samples.length * 1000) / g.elapsedMs, p50: s.p50, p99: s.p99 }];
    }),
  );
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
      `concurrency ${CONCURRENCY}, kept-alive connections, each page and mode, in ${BLOCKS} alternating blocks per way after 20 ` +
      `unmeasured: directly at the master's UI, and through nbhub's ` +
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
    const [direct, through] = [await httpRequest('GET', p.direct), await httpRequest('GET', p.hub, { headers: hub.auth })];
    console.log(`${p.page} page: ${fmt(Buffer.byteLength(direct.text))} bytes direct, ${fmt(Buffer.byteLength(through.text))} through the hub`);
    for (const [mode, c] of [
      ['sequential', 1],
      [`concurrency ${CONCURRENCY}`, CONCURRENCY],
    ]) {
      // One agent per way for all its blocks: connections are opened in the warm-up and kept, for both ways alike
      // (the hub keeps its own to Spark). Spark's Jetty accepts with a tiny queue (acceptQueueSize = min(acceptors,
      // 8)): new connections opened 8 at once directly can wait for a SYN retransmit (1 s), a cost of connecting,
      // not of a page, and kept out of these figures.
      const ways = [
        { name: 'direct', url: p.direct, headers: {}, agent: new Agent({ keepAlive: true, maxSockets: c }) },
        { name: 'hub', url: p.hub, headers: hub.auth, agent: new Agent({ keepAlive: true, maxSockets: c }) },
      ];
      // Warm both ways first (the JIT, Spark's page code, the connections); not counted.
      for (const w of ways) await load(w.url, w.headers, 20, c, w.agent);
      const r = await compare(ways, N, c);
      for (const w of ways) w.agent.destroy();
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
