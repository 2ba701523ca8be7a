// bench/kernel-rtt: a Jupyter kernel's execute_request round trip for `1+1`, for both runtime generations
// in the same run (JupyterLab 4 / jupyter_server 2, nbhub's default; Notebook 6 / jupyter-server 1, see
// lib/jupyter.mjs): through nbhub's proxy (default profile, WebSocket /user/admin/api/kernels/<id>/channels),
// and for reference directly against the runtime (port and token read from its process), through CHP 4.6,
// and directly against a bare runtime of the same generation started without nbhub's Jupyter config (so
// without its TCP_NODELAY patch: that way shows whether the patch still applies).
// Kernel messages in the JSON protocol (no subprotocol: all generations speak it); for JupyterLab 4 also in
// the v1.kernel.websocket.jupyter.org binary subprotocol, which JupyterLab 4 itself uses.
// Target: p50 <= 15 ms through nbhub, per generation (JupyterHub 3 + CHP was ~48 ms).
import { performance } from 'node:perf_hooks';
import { waitQuiet } from './lib/cpu.mjs';
import { findRuntime, startChp, startHub } from './lib/hub.mjs';
import { checkHubGeneration, generations, startBare } from './lib/jupyter.mjs';
import { kernelClient } from './lib/kernel.mjs';
import { httpRequest, summarize } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, info, ms, table, target } from './lib/report.mjs';

const ROUNDS = Number(process.env['BENCH_KERNEL_ROUNDS'] ?? 3);
const PER_ROUND = Number(process.env['BENCH_KERNEL_PER_ROUND'] ?? 10);
const WARMUP = 3;

/** A kernel on a bare runtime (its own token), for the way without nbhub's config. */
const bareKernel = async (gen) => {
  const b = await startBare(gen);
  const headers = { authorization: `token ${b.token}` };
  const k = await httpRequest('POST', `${b.url}/api/kernels`, { headers, body: { name: 'python3' } });
  if (k.status !== 201) throw new Error(`${gen.title} bare: POST /api/kernels: HTTP ${k.status} ${k.text.slice(0, 200)}`);
  return { bare: b, url: `ws://127.0.0.1:${b.port}/api/kernels/${k.json().id}/channels`, headers };
};

/** nbhub (started as this generation's hub), its runtime, a kernel, a CHP route, a bare runtime; the ways to measure. */
const setUp = async (gen) => {
  const hub = await startHub({ name: `hub-${gen.id}`, env: gen.hubEnv });
  const profile = await checkHubGeneration(hub, gen);
  const s = await hub.startServer('admin');
  console.log(`${gen.title}: nbhub's default profile "${profile}" ready through the proxy in ${ms(s.readyMs)} (POST answered ${s.status} in ${ms(s.postMs)})`);
  const rt = findRuntime(hub, 'admin');
  console.log(`  runtime: pid ${rt.pid}, port ${rt.port} (from /proc/${rt.pid}/environ), ${rt.cmd.slice(0, 140)}…`);
  const k = await hub.api('POST', '/user/admin/api/kernels', { name: 'python3' }, { expect: [201] });
  const kernelId = k.json().id;
  const chp = await startChp({ name: `chp-${gen.id}` });
  await chp.addRoute('/user/admin', rt.target);
  const channels = `/user/admin/api/kernels/${kernelId}/channels`;
  const runtimeAuth = { authorization: `token ${rt.token}` };
  const bk = await bareKernel(gen);
  console.log(`  bare runtime without nbhub's config: ${gen.bareLabel} on port ${bk.bare.port}, its own kernel`);
  const base = [
    { name: 'direct', url: `ws://127.0.0.1:${rt.port}${channels}`, headers: runtimeAuth, note: 'runtime port, its own token' },
    { name: 'nbhub', url: `${hub.url.replace('http', 'ws')}${channels}`, headers: hub.auth, note: 'hub API token; the hub adds the runtime token' },
    { name: 'CHP', url: `${chp.url.replace('http', 'ws')}${channels}`, headers: runtimeAuth, note: 'CHP 4.6 route to the runtime, runtime token' },
  ];
  const ways = [
    ...base.map((w) => ({ ...w, protocol: 'json' })),
    { name: 'bare, no patch', url: bk.url, headers: bk.headers, protocol: 'json', note: "bare runtime, no nbhub config (Nagle on), own kernel" },
    // JupyterLab 4's own framing; Notebook 6 does not know it.
    ...(gen.id === 'lab4' ? base.map((w) => ({ ...w, name: `${w.name} v1`, protocol: 'v1', note: `${w.note}; v1 subprotocol` })) : []),
  ];
  for (const w of ways) w.samples = { reply: [], idle: [] };
  {
    const t0 = performance.now();
    const c = await kernelClient(ways[1].url, ways[1].headers);
    await c.ready();
    const first = await c.execute('1+1');
    c.close();
    if (first.result !== '2' || first.status !== 'ok') throw new Error(`${gen.title}: 1+1 gave ${first.result} (${first.status})`);
    console.log(`  kernel ${kernelId} answered kernel_info and 1+1 = ${first.result} through nbhub after ${ms(performance.now() - t0)}`);
  }
  return { gen, hub, chp, bare: bk.bare, ways, stop: async () => (await bk.bare.stop(), await chp.stop(), await hub.stop()) };
};

runBench(async () => {
  const gens = generations();
  banner(
    'bench/kernel-rtt',
    `execute_request "1+1" → execute_reply (and → iopub status idle), one at a time on one kernel, for ${gens.map((g) => g.title).join(' and ')}; ` +
      `${ROUNDS} rounds, the ways of every generation interleaved in each, each way on a fresh WebSocket with ${WARMUP} unrecorded executions, ` +
      `then ${PER_ROUND} recorded (${ROUNDS * PER_ROUND} per way). JSON protocol (no subprotocol) for every way; JupyterLab 4 also with the v1 subprotocol.`,
  );
  const setups = [];
  for (const g of gens) setups.push(await setUp(g));

  for (let round = 1; round <= ROUNDS; round++) {
    for (const su of setups) {
      for (const w of su.ways) {
        await waitQuiet();
        const c = await kernelClient(w.url, w.headers, { protocol: w.protocol });
        await c.ready();
        for (let i = 0; i < WARMUP; i++) await c.execute('1+1');
        const rs = [];
        for (let i = 0; i < PER_ROUND; i++) rs.push(await c.execute('1+1'));
        c.close();
        w.samples.reply.push(...rs.map((r) => r.replyMs));
        w.samples.idle.push(...rs.map((r) => r.idleMs));
        const sm = summarize(rs.map((r) => r.replyMs));
        console.log(`round ${round} ${su.gen.title.padEnd(12)} ${w.name.padEnd(14)} execute_reply p50 ${ms(sm.p50)}  max ${ms(sm.max)}`);
      }
    }
  }

  const verdicts = [];
  for (const su of setups) {
    const t = su.gen.title;
    const sum = Object.fromEntries(su.ways.map((w) => [w.name, { reply: summarize(w.samples.reply), idle: summarize(w.samples.idle) }]));
    console.log(`\n${t}:`);
    table([
      ['way', 'protocol', 'n', 'reply p50', 'reply p90', 'reply max', 'idle p50', 'idle p90', 'how'],
      ...su.ways.map((w) => {
        const x = sum[w.name];
        return [w.name, w.protocol, x.reply.n, ms(x.reply.p50), ms(x.reply.p90), ms(x.reply.max), ms(x.idle.p50), ms(x.idle.p90), w.note];
      }),
    ]);
    // The patch: the same generation's runtime with nbhub's config (direct) against one without it.
    const patched = sum.direct.reply.p50;
    const unpatched = sum['bare, no patch'].reply.p50;
    const applies = patched < 0.5 * unpatched ? 'applies' : unpatched < 20 ? 'undecided (no stall without it either)' : 'DOES NOT APPLY';
    console.log(`  TCP_NODELAY patch (nbhub's Jupyter config): direct p50 ${ms(patched)} vs ${ms(unpatched)} without it -> ${applies}`);
    info('kernel-rtt', `[${t}] TCP_NODELAY patch: direct p50 with / without nbhub's Jupyter config`, `${ms(patched)} / ${ms(unpatched)}: ${applies}`);
    verdicts.push(() => {
      const p50 = sum.nbhub.reply.p50;
      target(
        'kernel-rtt',
        `[${t}] execute_request→execute_reply p50 through nbhub`,
        `${ms(p50)} (direct ${ms(sum.direct.reply.p50)}, CHP ${ms(sum.CHP.reply.p50)}; proxy adds ${ms(p50 - sum.direct.reply.p50)})`,
        '<= 15 ms',
        p50 <= 15,
        { generation: su.gen.id },
      );
      if (sum['nbhub v1']) {
        const v = sum['nbhub v1'].reply.p50;
        target(
          'kernel-rtt',
          `[${t}] the same with the v1 subprotocol (JupyterLab 4's own)`,
          `${ms(v)} (direct ${ms(sum['direct v1'].reply.p50)}, CHP ${ms(sum['CHP v1'].reply.p50)}; proxy adds ${ms(v - sum['direct v1'].reply.p50)})`,
          '<= 15 ms',
          v <= 15,
          { generation: su.gen.id, protocol: 'v1' },
        );
      }
    });
  }
  if (setups.length > 1) {
    // Side by side: each way's reply p50 per generation.
    const names = [...new Set(setups.flatMap((su) => su.ways.map((w) => w.name)))];
    const p50Of = (su, name) => {
      const w = su.ways.find((x) => x.name === name);
      return w ? ms(summarize(w.samples.reply).p50) : '-';
    };
    console.log('\nexecute_reply p50, side by side:');
    table([['way', ...setups.map((su) => su.gen.title)], ...names.map((n) => [n, ...setups.map((su) => p50Of(su, n))])]);
  }
  console.log('\n  (reference: JupyterHub 3 + CHP measured ~48 ms on this kind of machine; nbhub runtimes get a TCP_NODELAY patch via JUPYTER_CONFIG_DIR)');
  for (const v of verdicts) v();
  for (const su of setups) await su.stop();
});
