// bench/insides: how fast the hub learns what happens inside a runtime (issue 14), with the embedded agent
// and through a separate `nbhub agent` process, in the same run.
//  1. Per-cell cost latency: from the end of a cell (its execute_reply and idle received by the client,
//     through the proxy) until GET /hub/api/executions shows it ended with its cpu_seconds, and then its
//     peak_memory.
//  2. Process list latency: GET /hub/api/users/admin/server/processes, one request at a time.
// Two hubs (JupyterLab 4 runtimes, bench/lib/jupyter.mjs): `embedded` (default config) and `agent`
// (monitoring.embedded_agent: false, plus `nbhub agent` registered with that hub, which follows its runtimes).
// Both measured alternately, cell by cell and request by request (which goes first alternates), so a slow
// spell of the shared box hits both. No target: the figures are printed side by side, to be read against
// those recorded before issue 14's change (bench/README.md).
import { performance } from 'node:perf_hooks';
import { agentRecord, startAgent } from './lib/agent.mjs';
import { waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { checkHubGeneration, generations } from './lib/jupyter.mjs';
import { kernelClient } from './lib/kernel.mjs';
import { summarize } from './lib/load.mjs';
import { runBench, sleep } from './lib/proc.mjs';
import { banner, info, ms, table } from './lib/report.mjs';

const env = process.env;
const CELLS = Number(env['BENCH_INSIDES_CELLS'] ?? 10);
const LISTS = Number(env['BENCH_INSIDES_LISTS'] ?? 50);
const INTERVAL_S = Number(env['BENCH_INSIDES_INTERVAL_S'] ?? 2);
/** A cell's cost not visible after this long is reported as missing. */
const COST_TIMEOUT_MS = Number(env['BENCH_INSIDES_COST_TIMEOUT_S'] ?? Math.max(20, 6 * INTERVAL_S)) * 1000;
const POLL_MS = 10;

// A cell with a cost to find: 0.3 s of CPU and 40 MB allocated while it runs.
const cell = (i) => [`# insides bench cell ${i}`, 'import time', 'x = bytearray(40 << 20)', 'w = time.time()', 'while time.time() - w < 0.3: pass', 'del x'].join('\n');

const startWay = async (name, gen) => {
  const separate = name === 'agent';
  const monitoring = { interval_seconds: INTERVAL_S, ...(separate ? { embedded_agent: false } : {}) };
  const hub = await startHub({ name: `hub-${name}`, config: { monitoring, log_level: 'warn' }, env: gen.hubEnv });
  const profile = await checkHubGeneration(hub, gen);
  const agent = separate ? await startAgent(hub, { name: `agent-${name}` }) : null;
  await hub.startServer('admin');
  const kernel = (await hub.api('POST', '/user/admin/api/kernels', { name: 'python3' }, { expect: [201] })).json().id;
  const client = await kernelClient(`${hub.url.replace('http', 'ws')}/user/admin/api/kernels/${kernel}/channels`, hub.auth, { timeoutMs: 60_000 });
  await client.ready();
  if (agent) {
    // The separate agent follows the runtime (its samples reach the hub) before anything is measured.
    const id = agent.identity().id;
    for (let i = 0; ; i++) {
      const rec = await agentRecord(hub, id);
      if (rec?.runtimes?.some((r) => r.user === 'admin' && r.monitoring === 'ok')) break;
      if (i > 120) throw new Error(`the agent did not report admin's runtime within 60 s: ${JSON.stringify(rec)}`);
      await sleep(500);
    }
  }
  return { name, hub, agent, kernel, client, profile, costs: [], lists: [], sizes: [] };
};

/** Runs cell i on way w and polls the executions API until its cost shows. */
const runCell = async (w, i) => {
  const code = cell(i);
  const r = await w.client.execute(code);
  const end = performance.now();
  if (r.status !== 'ok') throw new Error(`${w.name}: cell ${i}: ${r.status}`);
  let cpuMs = Infinity;
  let peakMs = Infinity;
  let last;
  while (performance.now() - end < COST_TIMEOUT_MS) {
    const items = (await w.hub.api('GET', `/hub/api/executions?kernel=${w.kernel}&limit=5`, undefined, { expect: [200] })).json().items;
    last = items.find((e) => e.code === code);
    const now = performance.now() - end;
    if (last?.ended && last.cpu_seconds !== null && cpuMs === Infinity) cpuMs = now;
    if (last?.ended && last.peak_memory !== null && peakMs === Infinity) peakMs = now;
    if (cpuMs !== Infinity && peakMs !== Infinity) break;
    await sleep(POLL_MS);
  }
  w.costs.push({ cpuMs, peakMs, cpuSeconds: last?.cpu_seconds ?? null, peakMemory: last?.peak_memory ?? null });
};

const listProcesses = async (w) => {
  const t0 = performance.now();
  const r = await w.hub.api('GET', '/hub/api/users/admin/server/processes', undefined, { expect: [200] });
  w.lists.push(performance.now() - t0);
  const processes = r.json().processes;
  w.sizes.push({ processes: processes.length, kernels: processes.filter((p) => p.kernel_id === w.kernel).length });
};

const fmtLatency = (xs) => {
  const missing = xs.filter((x) => !Number.isFinite(x)).length;
  const s = summarize(xs.filter(Number.isFinite));
  return { text: s.n ? `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.max)}` : '-', missing, s };
};

runBench(async () => {
  banner(
    'bench/insides',
    `What the hub learns from inside a runtime, with the embedded agent and through a separate \`nbhub agent\` (monitoring.embedded_agent: false), alternately in the same run: ` +
      `${CELLS} cells (0.3 s of CPU, 40 MB) → cost visible in GET /hub/api/executions (polled every ${POLL_MS} ms); ${LISTS} × GET …/server/processes. ` +
      `monitoring.interval_seconds ${INTERVAL_S}, pull_every_seconds 1 (default), SQLite.`,
  );
  const gen = generations()[0];
  const ways = [];
  ways.push(await startWay('embedded', gen));
  ways.push(await startWay('agent', gen));
  console.log(`runtimes: ${ways.map((w) => `${w.name}: ${w.profile}`).join(', ')}`);
  // One unrecorded cell each, and a process list: the first ones pay for imports and connections.
  for (const w of ways) {
    await w.client.execute('1+1');
    await listProcesses(w);
    w.lists.length = 0;
    w.sizes.length = 0;
  }
  const bg1 = await waitQuiet();
  const t1 = performance.now();
  for (let i = 0; i < CELLS; i++) for (const w of i % 2 === 0 ? ways : [...ways].reverse()) await runCell(w, i);
  console.log(`\n--- 1. per-cell cost: ${CELLS} cells per way in ${((performance.now() - t1) / 1000).toFixed(0)} s (background CPU before: ${bg1.toFixed(2)} cores) ---`);
  const bg2 = await waitQuiet();
  const t2 = performance.now();
  for (let i = 0; i < LISTS; i++) for (const w of i % 2 === 0 ? ways : [...ways].reverse()) await listProcesses(w);
  console.log(`--- 2. process lists: ${LISTS} per way in ${((performance.now() - t2) / 1000).toFixed(1)} s (background CPU before: ${bg2.toFixed(2)} cores) ---\n`);

  const rows = [['way', 'cost: cpu_seconds visible p50 / p90 / max', 'peak_memory visible p50 / p90 / max', 'not within ' + COST_TIMEOUT_MS / 1000 + ' s', 'cpu_seconds p50', 'process list p50 / p90 / max', 'processes (kernel)']];
  for (const w of ways) {
    const cpu = fmtLatency(w.costs.map((c) => c.cpuMs));
    const peak = fmtLatency(w.costs.map((c) => c.peakMs));
    const list = fmtLatency(w.lists);
    const cpuSeconds = summarize(w.costs.map((c) => c.cpuSeconds).filter((x) => x !== null)).p50;
    const size = w.sizes.at(-1);
    rows.push([w.name, cpu.text, peak.text, `${cpu.missing} / ${peak.missing}`, Number.isFinite(cpuSeconds) ? cpuSeconds.toFixed(3) : '-', list.text, size ? `${size.processes} (${size.kernels})` : '-']);
    info('insides', `per-cell cost latency (end of cell → cpu_seconds visible), ${w.name}`, `p50 ${ms(cpu.s.p50)}, max ${ms(cpu.s.max)}${cpu.missing ? `, ${cpu.missing} not within ${COST_TIMEOUT_MS / 1000} s` : ''}`);
    info('insides', `per-cell cost latency (end of cell → peak_memory visible), ${w.name}`, `p50 ${ms(peak.s.p50)}, max ${ms(peak.s.max)}${peak.missing ? `, ${peak.missing} not within ${COST_TIMEOUT_MS / 1000} s` : ''}`);
    info('insides', `process list latency, ${w.name}`, `p50 ${ms(list.s.p50)}, p90 ${ms(list.s.p90)}, max ${ms(list.s.max)}`);
  }
  table(rows);
  console.log(
    `\n  Latencies from the client's receipt of the cell's execute_reply and idle to the first GET /hub/api/executions that shows the figure (poll period ${POLL_MS} ms plus one request included); ` +
      `"agent": the hub with monitoring.embedded_agent: false and a separate \`nbhub agent\` following its runtimes.`,
  );
  for (const w of ways) {
    w.client.close();
    await w.agent?.stop();
    await w.hub.stop();
  }
});
