// bench/memory: the hub process's resident memory (VmRSS from /proc/<pid>/status) idle, and with 10
// running servers (default profile, real Jupyter) before and after some proxy and API traffic; beside it,
// the runtimes' own memory (RSS and PSS of their processes). For both runtime generations in the same run
// (JupyterLab 4 / jupyter_server 2, the default, and Notebook 6: lib/jupyter.mjs), one after the other, each
// with a hub of its own (the first is stopped, with its runtimes, before the second starts).
// Target, per generation: hub <= 120 MB with 10 running servers.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startHub } from './lib/hub.mjs';
import { checkHubGeneration, generations } from './lib/jupyter.mjs';
import { loadHttp } from './lib/load.mjs';
import { markedProcesses, memoryOf, runBench, sleep } from './lib/proc.mjs';
import { banner, ms, table, target } from './lib/report.mjs';

const SERVERS = Number(process.env['BENCH_MEMORY_SERVERS'] ?? 10);
const SETTLE_MS = 3000;

/** Proportional set size in MB (/proc/<pid>/smaps_rollup): shared pages (Python, libraries) split between the processes sharing them. */
const pssOf = (pid) => {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
};
const mb = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} MB` : '-');

/** One generation: its hub, the readings. Returns { gen, profile, rows, idle, running, afterTraffic, rt }. */
const measure = async (gen) => {
  const hub = await startHub({ name: `hub-${gen.id}`, env: gen.hubEnv });
  const profile = await checkHubGeneration(hub, gen);
  console.log(`\n--- ${gen.title}: nbhub runs "${profile}" ---`);
  const rows = [['moment', 'hub VmRSS', 'hub VmHWM', 'runtime processes', 'their RSS', 'their PSS', 'RSS per runtime']];
  const runtimes = () => {
    const procs = markedProcesses((e) => (e['NBHUB_RUNTIME'] ?? '') !== '' && (e['JUPYTER_CONFIG_DIR'] ?? '').startsWith(hub.dataDir));
    const rss = procs.reduce((a, p) => a + memoryOf(p.pid).rssMB, 0);
    const pss = procs.reduce((a, p) => a + pssOf(p.pid), 0);
    const servers = new Set(procs.map((p) => p.env['NBHUB_RUNTIME'])).size;
    return { n: procs.length, servers, rss, pss, each: servers ? rss / servers : NaN };
  };
  const read = async (moment) => {
    await sleep(SETTLE_MS);
    const m = memoryOf(hub.pid);
    const rt = runtimes();
    rows.push([moment, mb(m.rssMB), mb(m.hwmMB), rt.n ? `${rt.n}` : '-', rt.n ? mb(rt.rss) : '-', rt.n ? mb(rt.pss) : '-', rt.n ? mb(rt.each) : '-']);
    console.log(`${moment}: hub VmRSS ${mb(m.rssMB)}, VmHWM ${mb(m.hwmMB)}; runtimes: ${rt.n} processes, RSS ${mb(rt.rss)}, PSS ${mb(rt.pss)}`);
    return { ...m, rt };
  };
  const idle = await read('idle after start-up (admin and token created)');

  const users = Array.from({ length: SERVERS }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
  await hub.api('POST', '/hub/api/users', { usernames: users }, { expect: [201] });
  const t0 = performance.now();
  await Promise.all(users.map((u) => hub.startServer(u)));
  console.log(`${SERVERS} servers ready in ${ms(performance.now() - t0)}`);
  const running = await read(`${SERVERS} running servers`);

  const traffic = await Promise.all(
    users.map((u) => loadHttp({ url: `${hub.url}/user/${u}/api/status`, headers: hub.auth, connections: 5, durationMs: 3000, warmupMs: 0 })),
  );
  const api = await loadHttp({ url: `${hub.url}/hub/api/users`, headers: hub.auth, connections: 20, durationMs: 3000, warmupMs: 0 });
  console.log(
    `traffic: ${traffic.reduce((a, r) => a + r.requests, 0)} proxied requests (${traffic.reduce((a, r) => a + r.errors, 0)} errors), ` +
      `${api.requests} API requests (${api.errors} errors)`,
  );
  const afterTraffic = await read(`${SERVERS} running servers, after traffic`);
  await Promise.all(users.map((u) => hub.stopServer(u)));
  await read('after stopping them');
  await hub.stop();
  return { gen, profile, rows, idle, running, afterTraffic };
};

runBench(async () => {
  const gens = generations();
  banner(
    'bench/memory',
    `RSS of the nbhub process (node bin/nbhub.js start, SQLite store): idle after start-up, with ${SERVERS} running Jupyter servers ` +
      `(${SERVERS} users, default profile), after 3 s of proxy traffic to all of them (5 connections each) and 3 s of GET /hub/api/users, and after stopping them; ` +
      `beside it the runtimes' processes (RSS, and PSS, which splits shared pages between them). Each reading ${SETTLE_MS / 1000} s after the previous step. ` +
      `VmHWM is the peak so far. ${gens.map((g) => g.title).join(', then ')}, each with a hub of its own.`,
  );
  const results = [];
  for (const g of gens) results.push(await measure(g));

  for (const r of results) {
    console.log(`\n${r.gen.title} ("${r.profile}"):`);
    table(r.rows);
  }
  if (results.length > 1) {
    console.log('\nside by side:');
    table([
      ['', ...results.map((r) => r.gen.title)],
      ['hub VmRSS idle', ...results.map((r) => mb(r.idle.rssMB))],
      [`hub VmRSS, ${SERVERS} servers`, ...results.map((r) => mb(r.running.rssMB))],
      [`hub VmRSS, ${SERVERS} servers, after traffic`, ...results.map((r) => mb(r.afterTraffic.rssMB))],
      [`runtimes' RSS, ${SERVERS} servers`, ...results.map((r) => mb(r.running.rt.rss))],
      [`runtimes' PSS, ${SERVERS} servers`, ...results.map((r) => mb(r.running.rt.pss))],
      ['RSS per runtime (server process, no kernel)', ...results.map((r) => mb(r.running.rt.each))],
      [`hub RSS + runtimes' PSS, ${SERVERS} servers`, ...results.map((r) => mb(r.running.rssMB + r.running.rt.pss))],
    ]);
  }
  for (const r of results) {
    const worst = Math.max(r.running.rssMB, r.afterTraffic.rssMB);
    target(
      'memory',
      `[${r.gen.title}] hub RSS with ${SERVERS} running servers`,
      `${worst.toFixed(1)} MB (idle ${r.idle.rssMB.toFixed(1)} MB; ${r.running.rssMB.toFixed(1)} MB before traffic, ${r.afterTraffic.rssMB.toFixed(1)} MB after; ` +
        `runtimes ${mb(r.running.rt.each)} RSS each)`,
      '<= 120 MB',
      worst <= 120,
      { generation: r.gen.id },
    );
  }
});
