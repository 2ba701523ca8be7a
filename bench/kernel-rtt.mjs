// bench/kernel-rtt: a Jupyter kernel's execute_request round trip for `1+1`, through nbhub's proxy
// (default profile: the real Jupyter server, WebSocket /user/admin/api/kernels/<id>/channels), and for
// reference directly against the runtime (port and token read from its process) and through CHP 4.6.
// Target: p50 <= 15 ms through nbhub (JupyterHub 3 + CHP was ~48 ms).
import { performance } from 'node:perf_hooks';
import { waitQuiet } from './lib/cpu.mjs';
import { findRuntime, startChp, startHub } from './lib/hub.mjs';
import { kernelClient } from './lib/kernel.mjs';
import { summarize } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, ms, table, target } from './lib/report.mjs';

const ROUNDS = Number(process.env['BENCH_KERNEL_ROUNDS'] ?? 3);
const PER_ROUND = Number(process.env['BENCH_KERNEL_PER_ROUND'] ?? 10);
const WARMUP = 3;

runBench(async () => {
  banner(
    'bench/kernel-rtt',
    `execute_request "1+1" → execute_reply (and → iopub status idle), one at a time on one kernel; ${ROUNDS} interleaved rounds ` +
      `per way, each on a fresh WebSocket with ${WARMUP} unrecorded executions, then ${PER_ROUND} recorded (${ROUNDS * PER_ROUND} per way).`,
  );
  const hub = await startHub({ name: 'nbhub' });
  const s = await hub.startServer('admin');
  console.log(`default runtime ready through the proxy in ${ms(s.readyMs)} (POST answered ${s.status} in ${ms(s.postMs)})`);
  const rt = findRuntime(hub, 'admin');
  console.log(`runtime: pid ${rt.pid}, port ${rt.port} (from /proc/${rt.pid}/environ), ${rt.cmd.slice(0, 120)}…`);

  const k = await hub.api('POST', '/user/admin/api/kernels', { name: 'python3' }, { expect: [201] });
  const kernelId = k.json().id;
  const chp = await startChp();
  await chp.addRoute('/user/admin', rt.target);
  const channels = `/user/admin/api/kernels/${kernelId}/channels`;
  const runtimeAuth = { authorization: `token ${rt.token}` };
  const ways = [
    { name: 'direct', url: `ws://127.0.0.1:${rt.port}${channels}`, headers: runtimeAuth, note: 'runtime port, its own token' },
    { name: 'nbhub', url: `${hub.url.replace('http', 'ws')}${channels}`, headers: hub.auth, note: 'hub API token; the hub adds the runtime token' },
    { name: 'CHP', url: `${chp.url.replace('http', 'ws')}${channels}`, headers: runtimeAuth, note: 'CHP 4.6 route to the runtime, runtime token' },
  ];
  {
    const t0 = performance.now();
    const c = await kernelClient(ways[1].url, ways[1].headers);
    await c.ready();
    const first = await c.execute('1+1');
    c.close();
    if (first.result !== '2' || first.status !== 'ok') throw new Error(`1+1 gave ${first.result} (${first.status})`);
    console.log(`kernel ${kernelId} answered kernel_info and 1+1 = ${first.result} through nbhub after ${ms(performance.now() - t0)}`);
  }

  const samples = Object.fromEntries(ways.map((w) => [w.name, { reply: [], idle: [] }]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const w of ways) {
      await waitQuiet();
      const c = await kernelClient(w.url, w.headers);
      await c.ready();
      for (let i = 0; i < WARMUP; i++) await c.execute('1+1');
      const rs = [];
      for (let i = 0; i < PER_ROUND; i++) rs.push(await c.execute('1+1'));
      c.close();
      samples[w.name].reply.push(...rs.map((r) => r.replyMs));
      samples[w.name].idle.push(...rs.map((r) => r.idleMs));
      const sm = summarize(rs.map((r) => r.replyMs));
      console.log(`round ${round} ${w.name.padEnd(10)} execute_reply p50 ${ms(sm.p50)}  max ${ms(sm.max)}`);
    }
  }
  const sum = Object.fromEntries(ways.map((w) => [w.name, { reply: summarize(samples[w.name].reply), idle: summarize(samples[w.name].idle) }]));
  console.log('');
  table([
    ['way', 'n', 'reply p50', 'reply p90', 'reply max', 'idle p50', 'idle p90', 'how'],
    ...ways.map((w) => {
      const x = sum[w.name];
      return [w.name, x.reply.n, ms(x.reply.p50), ms(x.reply.p90), ms(x.reply.max), ms(x.idle.p50), ms(x.idle.p90), w.note];
    }),
  ]);
  console.log('  (reference: JupyterHub 3 + CHP measured ~48 ms on this kind of machine; nbhub runtimes get a TCP_NODELAY patch via JUPYTER_CONFIG_DIR)');
  const p50 = sum.nbhub.reply.p50;
  target('kernel-rtt', 'execute_request→execute_reply p50 through nbhub', `${ms(p50)} (direct ${ms(sum.direct.reply.p50)}, CHP ${ms(sum.CHP.reply.p50)}; proxy adds ${ms(p50 - sum.direct.reply.p50)})`, '<= 15 ms', p50 <= 15);
  await chp.stop();
  await hub.stop();
});
