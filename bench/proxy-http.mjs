// bench/proxy-http: requests/s and latency of a small HTTP answer, the same backend reached three ways:
// directly, through nbhub's proxy (/user/admin/, token auth), and through configurable-http-proxy 4.6;
// plus a fourth for reference, bench/lib/min-proxy.mjs (the least a node:http proxy can do).
// Target: nbhub >= 2x CHP's req/s, with p99 no worse than CHP's.
import { compareWays } from './lib/compare.mjs';
import { startEchoBehindProxies } from './lib/hub.mjs';
import { httpRequest, loadHttp, loadWrk, wrkPath } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, fmt, ms, table, target } from './lib/report.mjs';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
// node: the Node load generator (always); wrk: also wrk when installed (apt-get install wrk).
const LOADGEN = process.env['BENCH_LOADGEN'] ?? 'both';

runBench(async () => {
  banner(
    'bench/proxy-http',
    `GET of a 37-byte JSON answer from a node:http backend (bench/lib/backend.mjs); ${CONNECTIONS} keep-alive connections, ` +
      `closed loop; ${ROUNDS} interleaved rounds of (1 s warm-up + ${SECONDS} s measured) per way; figures are medians over rounds. ` +
      `min-proxy = bench/lib/min-proxy.mjs, a bare node:http proxy (keep-alive agent, no auth, no header rewriting): the floor for a node:http design.`,
  );
  const { hub, rt, chp, min } = await startEchoBehindProxies();

  const ways = [
    { name: 'direct', url: `${rt.target}/user/admin/`, pid: rt.pid, cpuLabel: 'backend CPU' },
    { name: 'nbhub', url: `${hub.url}/user/admin/`, pid: hub.pid, cpuLabel: 'proxy CPU' },
    { name: 'CHP', url: `${chp.url}/user/admin/`, pid: chp.pid, cpuLabel: 'proxy CPU' },
    { name: 'min-proxy', url: `${min.url}/user/admin/`, pid: min.pid, cpuLabel: 'proxy CPU' },
  ];
  const headers = { ...hub.auth }; // the same request headers every way (the backend ignores them)
  for (const w of ways) {
    const r = await httpRequest('GET', w.url, { headers });
    if (r.status !== 200 || !r.text.includes('"ok":true')) throw new Error(`${w.name}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  }
  console.log(`backend pid ${rt.pid} at ${rt.target}; nbhub pid ${hub.pid} at ${hub.url}; CHP 4.6 pid ${chp.pid} at ${chp.url}`);

  const generators = [];
  if (LOADGEN !== 'wrk') generators.push({ name: 'node', load: loadHttp, label: 'Node load generator (http.Agent keepAlive)' });
  if (LOADGEN !== 'node') {
    if (wrkPath()) generators.push({ name: 'wrk', load: loadWrk, label: 'wrk -t1 (C; cheaper per request, leaves more CPU to the proxies)' });
    else console.log('(wrk not installed: only the Node load generator; apt-get install wrk adds a second series)');
  }

  const verdicts = [];
  for (const g of generators) {
    console.log(`\n--- load generator: ${g.label}`);
    const a = await compareWays({
      ways,
      rounds: ROUNDS,
      label: `[${g.name}] `,
      run: async (w) => {
        const r = await g.load({ url: w.url, headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
        return { ...r, rate: r.rps };
      },
    });
    console.log('');
    table([
      ['way', 'req/s', 'p50', 'p99', 'errors', 'vs direct', 'rounds (req/s)', 'CPU µs/request', 'bg CPU'],
      ...ways.map((w) => {
        const x = a[w.name];
        return [w.name, fmt(x.rate), ms(x.p50), ms(x.p99), x.errors, `${(x.rate / a.direct.rate).toFixed(2)}x`, x.samples.join(' / '), `${x.cpuUsPer.toFixed(0)} (${w.cpuLabel.replace(' CPU', '')})`, `${x.bgCores.toFixed(2)} cores`];
      }),
    ]);
    console.log('  (references seen before on this kind of machine: direct ~16,600 req/s, CHP ~2,400-2,900 req/s)');
    console.log(`  CPU µs/request: CPU time of that process (the proxy; for direct, the backend) per request, warm-up included; proxy CPU per request nbhub/CHP = ${(a.nbhub.cpuUsPer / a.CHP.cpuUsPer).toFixed(2)}`);
    const ratio = a.nbhub.rate / a.CHP.rate;
    verdicts.push(
      target('proxy-http', `[${g.name}] nbhub req/s / CHP req/s`, `${ratio.toFixed(2)}x (${fmt(a.nbhub.rate)} vs ${fmt(a.CHP.rate)}; direct ${fmt(a.direct.rate)})`, '>= 2.00x', ratio >= 2),
      target('proxy-http', `[${g.name}] nbhub p99 vs CHP p99`, `${ms(a.nbhub.p99)} vs ${ms(a.CHP.p99)}`, 'nbhub <= CHP', a.nbhub.p99 <= a.CHP.p99),
    );
  }
  await min.stop();
  await chp.stop();
  await hub.stop();
});
