// bench/executions: what recording cell executions costs kernel traffic through the proxy, and how exactly it
// gives each cell its CPU (issue 4).
//  1. Two hubs in the same run, recording on (default config) and off (monitoring.executions: false), each with a
//     real Jupyter kernel behind its proxy; rounds of (a) execute_request "1+1" round trips one at a time,
//     alternating between the two hubs execution by execution (a slow spell of the shared box then hits both), and
//     (b) bursts of execute_requests sent at once ("run all"), counting every kernel message received.
//     Target: on within 5 % of off (throughput and round-trip p50).
//  2. Attribution: 50 cells of random length 0.1–10 s, each burning CPU and printing time.process_time() measured
//     inside it, alternating between two notebooks that share one kernel (told apart by JupyterLab's cell ids);
//     the recorded cpu_seconds against that figure. Target: median error < 5 %, none > 15 % for cells over 1 s.
//     For information, the error of the same cells' CPU read from the 10 s consumption series alone.
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { kernelClient } from './lib/kernel.mjs';
import { median, summarize } from './lib/load.mjs';
import { runBench, sleep } from './lib/proc.mjs';
import { banner, fmt, info, ms, table, target } from './lib/report.mjs';

const env = process.env;
const ROUNDS = Number(env['BENCH_EXEC_ROUNDS'] ?? 5);
// BENCH_EXEC_PARTS=1: the on/off comparison only (2: attribution only).
const PARTS = (env['BENCH_EXEC_PARTS'] ?? '1,2').split(',');
const RTT_N = Number(env['BENCH_EXEC_RTT'] ?? 60);
const BURST = Number(env['BENCH_EXEC_BURST'] ?? 200);
const CELLS = Number(env['BENCH_EXEC_CELLS'] ?? 50);
const MIN_S = Number(env['BENCH_EXEC_MIN_S'] ?? 0.1);
const MAX_S = Number(env['BENCH_EXEC_MAX_S'] ?? 10);
const SEED = Number(env['BENCH_EXEC_SEED'] ?? 4);
const WARMUP = 3;

/** mulberry32: the same cell lengths on every run with the same seed. */
const random = (seed) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const burn = (i, seconds) =>
  [`# bench cell ${i}`, 'import time', 't0 = time.process_time()', 'w = time.time()', `while time.time() - w < ${seconds.toFixed(3)}: pass`, 'print(time.process_time() - t0)'].join('\n');

const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : String(v));

const kernelOn = async (hub) => {
  await hub.startServer('admin');
  const k = await hub.api('POST', '/user/admin/api/kernels', { name: 'python3' }, { expect: [201] });
  return `${hub.url.replace('http', 'ws')}/user/admin/api/kernels/${k.json().id}/channels`;
};

const overhead = async (on, off) => {
  console.log(
    `\n--- 1. recording on vs off: ${ROUNDS} rounds; each: ${WARMUP} unrecorded executions per way, then ${RTT_N} round trips of "1+1" per way, ` +
      `alternating between the two ways execution by execution (so both see the same background load), then a burst of ${BURST} execute_requests sent at once per way; ` +
      `round trips are pooled over rounds, bursts are medians over rounds ---`,
  );
  const ways = [
    { name: 'recording on', hub: on, url: await kernelOn(on) },
    { name: 'recording off', hub: off, url: await kernelOn(off) },
  ];
  const rtt = Object.fromEntries(ways.map((w) => [w.name, []]));
  const diffs = [];
  const samples = Object.fromEntries(ways.map((w) => [w.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    const bg = await waitQuiet();
    const clients = [];
    for (const w of ways) {
      const c = await kernelClient(w.url, w.hub.auth);
      await c.ready();
      for (let i = 0; i < WARMUP; i++) await c.execute('1+1');
      clients.push(c);
    }
    const cpu0 = ways.map((w) => cpuSecondsOf(w.hub.pid));
    const mine = ways.map(() => []);
    for (let i = 0; i < RTT_N; i++) {
      // Which goes first alternates, so neither always runs right after the other.
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) mine[k].push((await clients[k].execute('1+1')).replyMs);
      diffs.push((mine[0].at(-1) - mine[1].at(-1)));
    }
    const roundCpu = ways.map((w, k) => cpuSecondsOf(w.hub.pid) - cpu0[k]);
    const line = [];
    for (const [k, w] of (round % 2 === 1 ? ways : [...ways].reverse()).map((w) => [ways.indexOf(w), w])) {
      const c1 = cpuSecondsOf(w.hub.pid);
      const b = await clients[k].burst('1', BURST);
      const hubCpu = cpuSecondsOf(w.hub.pid) - c1 + roundCpu[k];
      clients[k].close();
      // Round trips: 6 messages each (busy, execute_input, execute_result, idle, reply, and the request).
      const messages = b.messages + BURST + RTT_N * 6;
      rtt[w.name].push(...mine[k]);
      const s = { p50: summarize(mine[k]).p50, mps: b.messages / (b.ms / 1000), hubUsPerMsg: (hubCpu * 1e6) / messages };
      samples[w.name].push(s);
      line.push(`${w.name}: "1+1" p50 ${ms(s.p50)}, burst ${fmt(s.mps)} msg/s, hub CPU ${s.hubUsPerMsg.toFixed(0)} µs/message`);
    }
    console.log(`round ${round} (background before: ${bg.toFixed(2)} cores)  ${line.join('  |  ')}`);
  }
  const m = Object.fromEntries(
    ways.map((w) => [w.name, { p50: summarize(rtt[w.name]).p50, p90: summarize(rtt[w.name]).p90, mps: median(samples[w.name].map((s) => s.mps)), hubUsPerMsg: median(samples[w.name].map((s) => s.hubUsPerMsg)) }]),
  );
  console.log('');
  table([
    ['way', 'rtt p50', 'rtt p90', 'burst msg/s', 'hub CPU µs/msg'],
    ...ways.map((w) => [w.name, ms(m[w.name].p50), ms(m[w.name].p90), fmt(m[w.name].mps), m[w.name].hubUsPerMsg.toFixed(0)]),
  ]);
  const paired = median(diffs);
  console.log(`median of the ${diffs.length} paired differences (on − off, executions run one right after the other): ${ms(paired)}`);
  const recorded = (await on.api('GET', '/hub/api/executions?limit=1', undefined, { expect: [200] })).json()._pagination.total;
  const none = (await off.api('GET', '/hub/api/executions?limit=1', undefined, { expect: [200] })).json()._pagination.total;
  console.log(`executions recorded: ${recorded} with recording on, ${none} with it off`);
  const a = m['recording on'];
  const z = m['recording off'];
  const tput = a.mps / z.mps;
  target('executions', 'kernel-message throughput, recording on / off', `${tput.toFixed(3)} (${fmt(a.mps)} vs ${fmt(z.mps)} msg/s)`, '>= 0.95', tput >= 0.95);
  const lat = a.p50 / z.p50;
  target('executions', 'execute round trip p50, recording on / off', `${lat.toFixed(3)} (${ms(a.p50)} vs ${ms(z.p50)}; ${diffs.length} each)`, '<= 1.05', lat <= 1.05);
  info('executions', 'execute round trip, median paired difference on − off', ms(paired));
  info('executions', 'hub CPU per kernel message, recording on / off', `${a.hubUsPerMsg.toFixed(0)} / ${z.hubUsPerMsg.toFixed(0)} µs`);
};

const notebook = (cellIds) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: cellIds.map((id) => ({ id, cell_type: 'code', metadata: {}, source: '', outputs: [], execution_count: null })),
});

const attribution = async (hub) => {
  const rand = random(SEED);
  const lengths = Array.from({ length: CELLS }, () => MIN_S + rand() * (MAX_S - MIN_S));
  const total = lengths.reduce((a, b) => a + b, 0);
  console.log(
    `\n--- 2. attribution: ${CELLS} cells of ${MIN_S}–${MAX_S} s (seed ${SEED}; ${total.toFixed(0)} s of CPU in all), alternating between a.ipynb and b.ipynb on one kernel ---`,
  );
  const names = ['a.ipynb', 'b.ipynb'];
  for (const [n, name] of names.entries()) {
    await hub.api('PUT', `/user/admin/api/contents/${name}`, { type: 'notebook', format: 'json', content: notebook(lengths.map((_, i) => `${name}-${i}`).filter((_, i) => i % 2 === n)) }, { expect: [200, 201] });
  }
  const sa = (await hub.api('POST', '/user/admin/api/sessions', { path: 'a.ipynb', type: 'notebook', name: 'a.ipynb', kernel: { name: 'python3' } }, { expect: [201] })).json();
  const kernelId = sa.kernel.id;
  await hub.api('POST', '/user/admin/api/sessions', { path: 'b.ipynb', type: 'notebook', name: 'b.ipynb', kernel: { id: kernelId } }, { expect: [201] });
  const url = `${hub.url.replace('http', 'ws')}/user/admin/api/kernels/${kernelId}/channels`;
  const clients = [await kernelClient(url, hub.auth, { timeoutMs: (MAX_S + 30) * 1000 }), await kernelClient(url, hub.auth, { timeoutMs: (MAX_S + 30) * 1000 })];
  for (const c of clients) await c.ready();
  const cells = [];
  const t0 = performance.now();
  for (const [i, seconds] of lengths.entries()) {
    const nb = i % 2;
    const r = await clients[nb].execute(burn(i, seconds), { metadata: { cellId: `${names[nb]}-${i}` } });
    if (r.status !== 'ok') throw new Error(`cell ${i}: ${r.status}`);
    cells.push({ i, notebook: names[nb], seconds, measured: Number(r.stdout.trim()) });
  }
  console.log(`ran ${CELLS} cells in ${((performance.now() - t0) / 1000).toFixed(0)} s; waiting for the 10 s sampler to store a sample after the last one`);
  for (const c of clients) c.close();
  await sleep(12_000);
  const items = (await hub.api('GET', `/hub/api/executions?kernel=${kernelId}&limit=200`, undefined, { expect: [200] })).json().items;
  const byCode = new Map(items.map((e) => [e.code, e]));
  const rows = [['cell', 'notebook', 'recorded as', 'length', 'process_time', 'cpu_seconds', 'error', 'from 10 s series', 'error']];
  for (const c of cells) {
    const e = byCode.get(burn(c.i, c.seconds));
    if (!e) throw new Error(`cell ${c.i} was not recorded`);
    c.recorded = e.cpu_seconds;
    c.attributedTo = e.notebook;
    c.error = Math.abs(e.cpu_seconds - c.measured) / c.measured;
    // What consumption alone gives: the kernel's series over the cell's interval, spread between 10 s samples.
    const from = Date.parse(e.started) / 1000;
    const to = Date.parse(e.ended) / 1000;
    const u = (await hub.api('GET', `/hub/api/usage?kernel=${kernelId}&group_by=kernel&from=${from.toFixed(3)}&to=${to.toFixed(3)}&step=1`, undefined, { expect: [200] })).json();
    c.series = u.totals[0]?.cpu_seconds ?? 0;
    c.seriesError = Math.abs(c.series - c.measured) / c.measured;
    rows.push([c.i, c.notebook, c.attributedTo ?? `(${e.attribution})`, `${c.seconds.toFixed(2)} s`, c.measured.toFixed(3), c.recorded.toFixed(3), pct(c.error), c.series.toFixed(3), pct(c.seriesError)]);
  }
  table(rows);
  const errors = cells.map((c) => c.error);
  const over1 = cells.filter((c) => c.measured > 1).map((c) => c.error);
  const right = cells.filter((c) => c.attributedTo === c.notebook).length;
  const s = summarize(errors);
  const worst = Math.max(...over1);
  console.log(
    `\nerror of cpu_seconds against process_time: median ${pct(s.p50)}, p90 ${pct(s.p90)}, max ${pct(s.max)} (all ${CELLS}); max ${pct(worst)} over the ${over1.length} cells over 1 s`,
  );
  const series = summarize(cells.map((c) => c.seriesError));
  console.log(`for comparison, the 10 s consumption series alone: median ${pct(series.p50)}, p90 ${pct(series.p90)}, max ${pct(series.max)}`);
  console.log(`notebook attribution: ${right} of ${CELLS} cells recorded in the notebook that ran them (cell ids matched against the saved notebooks)`);
  target('executions', `cpu_seconds error, median of ${CELLS} cells`, pct(s.p50), '< 5 %', s.p50 < 0.05);
  target('executions', `cpu_seconds error, worst of ${over1.length} cells over 1 s`, pct(worst), '<= 15 %', worst <= 0.15);
  info('executions', 'notebook attribution on a shared kernel', `${right}/${CELLS}`);
  info('executions', 'error from the 10 s series alone (median / max)', `${pct(series.p50)} / ${pct(series.max)}`);
};

runBench(async () => {
  banner(
    'bench/executions',
    'Execution history: cost of recording on kernel traffic through the proxy (recording on vs off, same run), and CPU attribution to cells (against time.process_time()).',
  );
  const on = await startHub({ name: 'nbhub-on' });
  if (PARTS.includes('1')) {
    const off = await startHub({ name: 'nbhub-off', config: { monitoring: { executions: false } } });
    await overhead(on, off);
    await off.stop();
  }
  if (PARTS.includes('2')) await attribution(on);
  await on.stop();
});
