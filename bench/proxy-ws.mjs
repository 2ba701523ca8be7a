// bench/proxy-ws: WebSocket echo through the same backend three ways (direct, nbhub, CHP 4.6; and
// bench/lib/min-proxy.mjs for reference):
// messages/s with 50 connections in ping-pong, and the round trip of one connection (p50/p99).
// Target: nbhub >= 1.3x CHP's messages/s.
import { compareWays } from './lib/compare.mjs';
import { startEchoBehindProxies } from './lib/hub.mjs';
import { loadWs, openWs } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, fmt, ms, table, target } from './lib/report.mjs';

const CONNECTIONS = Number(process.env['BENCH_WS_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const MESSAGE = 'x'.repeat(64);

runBench(async () => {
  banner(
    'bench/proxy-ws',
    `WebSocket echo (ws package, 64-byte text messages, no compression) behind bench/lib/backend.mjs. ` +
      `Throughput: ${CONNECTIONS} connections, each sending its next message when the echo arrives; ` +
      `round trip: one connection. ${ROUNDS} interleaved rounds of (1 s warm-up + ${SECONDS} s measured) per way; medians over rounds. ` +
      `min-proxy = bench/lib/min-proxy.mjs (socket-to-socket pipe after the upgrade, no auth): the floor for a node:http design.`,
  );
  const { hub, rt, chp, min } = await startEchoBehindProxies();
  const ws = (http) => http.replace(/^http/, 'ws');
  const ways = [
    { name: 'direct', url: `${ws(rt.target)}/user/admin/echo`, pid: rt.pid, cpuLabel: 'backend CPU' },
    { name: 'nbhub', url: `${ws(hub.url)}/user/admin/echo`, pid: hub.pid, cpuLabel: 'proxy CPU' },
    { name: 'CHP', url: `${ws(chp.url)}/user/admin/echo`, pid: chp.pid, cpuLabel: 'proxy CPU' },
    { name: 'min-proxy', url: `${ws(min.url)}/user/admin/echo`, pid: min.pid, cpuLabel: 'proxy CPU' },
  ];
  const headers = { ...hub.auth };
  for (const w of ways) {
    const s = await openWs(w.url, headers);
    const echo = await new Promise((resolve) => {
      s.once('message', (d) => resolve(String(d)));
      s.send('hello');
    });
    s.terminate();
    if (echo !== 'hello') throw new Error(`${w.name}: echo ${echo}`);
  }
  console.log(`backend pid ${rt.pid}; nbhub pid ${hub.pid} at ${hub.url}; CHP 4.6 pid ${chp.pid} at ${chp.url}`);

  console.log(`\n--- throughput, ${CONNECTIONS} connections`);
  const many = await compareWays({
    ways,
    rounds: ROUNDS,
    unit: 'msg/s',
    run: async (w) => {
      const r = await loadWs({ url: w.url, headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000, message: MESSAGE });
      return { ...r, rate: r.mps };
    },
  });
  console.log(`\n--- round trip, 1 connection`);
  const one = await compareWays({
    ways,
    rounds: ROUNDS,
    unit: 'msg/s',
    run: async (w) => {
      const r = await loadWs({ url: w.url, headers, connections: 1, durationMs: Math.min(SECONDS, 2) * 1000, warmupMs: 500, message: MESSAGE });
      return { ...r, rate: r.mps };
    },
  });
  console.log('');
  table([
    ['way', `msg/s (${CONNECTIONS} conns)`, 'p50', 'p99', 'rounds (msg/s)', 'CPU µs/echo', '1-conn RTT p50', '1-conn RTT p99', 'bg CPU'],
    ...ways.map((w) => {
      const m = many[w.name];
      const o = one[w.name];
      return [w.name, fmt(m.rate), ms(m.p50), ms(m.p99), m.samples.join(' / '), `${m.cpuUsPer.toFixed(1)} (${w.cpuLabel.replace(' CPU', '')})`, ms(o.p50), ms(o.p99), `${m.bgCores.toFixed(2)} cores`];
    }),
  ]);
  console.log('  (references seen before on this kind of machine: direct ~17,600 msg/s, CHP ~11,400 msg/s)');
  const ratio = many.nbhub.rate / many.CHP.rate;
  target('proxy-ws', 'nbhub msg/s / CHP msg/s (50 connections)', `${ratio.toFixed(2)}x (${fmt(many.nbhub.rate)} vs ${fmt(many.CHP.rate)}; direct ${fmt(many.direct.rate)})`, '>= 1.30x', ratio >= 1.3);
  console.log(
    `INFO 1-connection round trip p50/p99: direct ${ms(one.direct.p50)}/${ms(one.direct.p99)}, nbhub ${ms(one.nbhub.p50)}/${ms(one.nbhub.p99)}, CHP ${ms(one.CHP.p50)}/${ms(one.CHP.p99)}`,
  );
  await min.stop();
  await chp.stop();
  await hub.stop();
});
