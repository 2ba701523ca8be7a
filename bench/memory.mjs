// bench/memory: the hub process's resident memory (VmRSS from /proc/<pid>/status) idle, and with 10
// running servers (default profile, real Jupyter) before and after some proxy and API traffic.
// Target: <= 120 MB with 10 running servers.
import { performance } from 'node:perf_hooks';
import { startHub } from './lib/hub.mjs';
import { loadHttp } from './lib/load.mjs';
import { markedProcesses, memoryOf, runBench, sleep } from './lib/proc.mjs';
import { banner, ms, table, target } from './lib/report.mjs';

const SERVERS = Number(process.env['BENCH_MEMORY_SERVERS'] ?? 10);
const SETTLE_MS = 3000;

runBench(async () => {
  banner(
    'bench/memory',
    `RSS of the nbhub process (node bin/nbhub.js start, SQLite store): idle after start-up, with ${SERVERS} running Jupyter servers ` +
      `(${SERVERS} users, default profile), after 3 s of proxy traffic to all of them (5 connections each) and 3 s of GET /hub/api/users, and after stopping them. ` +
      `Each reading ${SETTLE_MS / 1000} s after the previous step. VmHWM is the peak so far.`,
  );
  const hub = await startHub();
  const rows = [['moment', 'VmRSS', 'VmHWM', 'runtimes (their own RSS, total)']];
  const runtimesRss = () => {
    const procs = markedProcesses((e) => (e['NBHUB_RUNTIME'] ?? '') !== '' && (e['JUPYTER_CONFIG_DIR'] ?? '').startsWith(hub.dataDir));
    const total = procs.reduce((a, p) => a + memoryOf(p.pid).rssMB, 0);
    return procs.length ? `${procs.length} processes, ${total.toFixed(0)} MB` : '-';
  };
  const read = async (moment) => {
    await sleep(SETTLE_MS);
    const m = memoryOf(hub.pid);
    rows.push([moment, `${m.rssMB.toFixed(1)} MB`, `${m.hwmMB.toFixed(1)} MB`, runtimesRss()]);
    console.log(`${moment}: VmRSS ${m.rssMB.toFixed(1)} MB, VmHWM ${m.hwmMB.toFixed(1)} MB`);
    return m;
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
  console.log('');
  table(rows);
  const worst = Math.max(running.rssMB, afterTraffic.rssMB);
  target(
    'memory',
    `hub RSS with ${SERVERS} running servers`,
    `${worst.toFixed(1)} MB (idle ${idle.rssMB.toFixed(1)} MB; ${running.rssMB.toFixed(1)} MB before traffic, ${afterTraffic.rssMB.toFixed(1)} MB after)`,
    '<= 120 MB',
    worst <= 120,
  );
  await hub.stop();
});
