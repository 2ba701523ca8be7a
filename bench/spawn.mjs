// bench/spawn: how long a start takes through nbhub (POST, then GET /user/admin/api through the proxy
// until 200) against the bare runtime's own start-to-ready (the same Jupyter spawned here with fresh
// Jupyter directories, GET /api until 200), both polled every 10 ms; ten concurrent starts; stop latency
// (DELETE until 204). For both runtime generations in the same run (JupyterLab 4 / jupyter_server 2, the
// default, and Notebook 6: lib/jupyter.mjs), one hub each, their runs interleaved.
// Targets, per generation: nbhub median within 100 ms of bare; 10 concurrent starts all ready <= 6 s; stop
// median <= 300 ms.
import { performance } from 'node:perf_hooks';
import { waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { checkHubGeneration, generations, startBare } from './lib/jupyter.mjs';
import { median, summarize } from './lib/load.mjs';
import { runBench, sleep } from './lib/proc.mjs';
import { banner, ms, table, target } from './lib/report.mjs';

const RUNS = Number(process.env['BENCH_SPAWN_RUNS'] ?? 10);
const CONCURRENT = Number(process.env['BENCH_SPAWN_CONCURRENT'] ?? 10);
const CONCURRENT_ROUNDS = Number(process.env['BENCH_SPAWN_CONCURRENT_ROUNDS'] ?? 3);
const POLL_MS = 10;

const range = (v) => `${ms(Math.min(...v))} – ${ms(Math.max(...v))}`;

runBench(async () => {
  const gens = generations();
  banner(
    'bench/spawn',
    `${gens.map((g) => g.title).join(' and ')}, each as nbhub's default profile (one hub per generation) and bare. Sequential: ${RUNS} runs of nbhub and ${RUNS} of the bare runtime per generation, ` +
      `alternating which goes first, the generations interleaved, after one unrecorded warm-up of each; readiness polled every ${POLL_MS} ms on both sides. ` +
      `Concurrent: ${CONCURRENT} users started at once, ${CONCURRENT_ROUNDS} rounds (median), the generations in turn.`,
  );
  const setups = [];
  for (const gen of gens) {
    const hub = await startHub({ name: `hub-${gen.id}`, env: gen.hubEnv });
    const profile = await checkHubGeneration(hub, gen);
    console.log(`${gen.title}: nbhub runs "${profile}"; bare: ${gen.bareLabel} (fresh Jupyter directories)`);
    setups.push({ gen, hub, profile, nb: [], bare: [], stops: [], bareStops: [], postMs: [], conc: [], concStop: [], concBare: [], concBareStop: [] });
  }

  // warm-up (page cache, Python bytecode)
  for (const { gen, hub } of setups) {
    const b = await startBare(gen, { intervalMs: POLL_MS });
    await b.stop();
    await hub.startServer('admin', '', {}, { intervalMs: POLL_MS });
    await hub.stopServer('admin');
  }

  for (let i = 1; i <= RUNS; i++) {
    // alternate which goes first (bare or nbhub, and which generation), so a drift in background load does
    // not favour one side
    for (const su of i % 2 === 1 ? setups : [...setups].reverse()) {
      const { gen, hub } = su;
      const runBare = async () => {
        await waitQuiet();
        const b = await startBare(gen, { intervalMs: POLL_MS });
        await sleep(200);
        const stopMs = await b.stop();
        su.bare.push(b.readyMs);
        su.bareStops.push(stopMs);
        await sleep(200);
        return { ...b, stopMs };
      };
      const runHub = async () => {
        await waitQuiet();
        const s = await hub.startServer('admin', '', {}, { intervalMs: POLL_MS });
        su.nb.push(s.readyMs);
        su.postMs.push(s.postMs);
        await sleep(200);
        const st = await hub.stopServer('admin');
        su.stops.push(st.ms);
        await sleep(200);
        return { ...s, stop: st };
      };
      const [b, s] = i % 2 === 1 ? [await runBare(), await runHub()] : await runHub().then(async (h) => [await runBare(), h]);
      console.log(
        `run ${String(i).padStart(2)} ${gen.title.padEnd(12)}: bare ready ${ms(b.readyMs)}, SIGTERM→exit ${ms(b.stopMs)}   |   nbhub ready through proxy ${ms(s.readyMs)} ` +
          `(POST ${s.status} after ${ms(s.postMs)}), DELETE ${s.stop.status} after ${ms(s.stop.ms)}`,
      );
    }
  }

  // concurrent starts
  const users = Array.from({ length: CONCURRENT }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  for (const { hub } of setups) await hub.api('POST', '/hub/api/users', { usernames: users }, { expect: [201] });
  console.log('');
  for (let round = 1; round <= CONCURRENT_ROUNDS; round++) {
    for (const su of round % 2 === 1 ? setups : [...setups].reverse()) {
      const { gen, hub } = su;
      await waitQuiet();
      const t0 = performance.now();
      const each = await Promise.all(users.map((u) => hub.startServer(u, '', {}, { intervalMs: POLL_MS }).then(() => performance.now() - t0)));
      const last = Math.max(...each);
      su.conc.push(last);
      await sleep(300);
      const s0 = performance.now();
      const st = await Promise.all(users.map((u) => hub.stopServer(u)));
      const stopAll = performance.now() - s0;
      su.concStop.push(stopAll);
      await sleep(300);
      await waitQuiet();
      const b0 = performance.now();
      const bares = await Promise.all(users.map(() => startBare(gen, { intervalMs: POLL_MS })));
      const bareLast = performance.now() - b0;
      su.concBare.push(bareLast);
      const bs0 = performance.now();
      await Promise.all(bares.map((b) => b.stop()));
      const bareStopAll = performance.now() - bs0;
      su.concBareStop.push(bareStopAll);
      console.log(
        `concurrent round ${round} ${gen.title}: ${CONCURRENT} nbhub starts, first ready ${ms(Math.min(...each))}, last ready ${ms(last)}; ` +
          `stopping all: ${ms(stopAll)} (${st.filter((x) => x.status === 204).length}×204); ${CONCURRENT} bare runtimes at once: last ready ${ms(bareLast)}, all exited after SIGTERM in ${ms(bareStopAll)}`,
      );
      await sleep(300);
    }
  }

  for (const su of setups) {
    const sb = summarize(su.bare);
    const sn = summarize(su.nb);
    const ss = summarize(su.stops);
    Object.assign(su, { sb, sn, ss });
    console.log(`\n${su.gen.title} (nbhub: "${su.profile}"; bare: ${su.gen.bareLabel}):`);
    table([
      ['measurement', 'n', 'median', 'min', 'max'],
      ['bare: spawn → /api 200', sb.n, ms(sb.p50), ms(sb.min), ms(sb.max)],
      ['nbhub: POST → /user/admin/api 200 (proxy)', sn.n, ms(sn.p50), ms(sn.min), ms(sn.max)],
      ['nbhub: POST answered', su.postMs.length, ms(median(su.postMs)), ms(Math.min(...su.postMs)), ms(Math.max(...su.postMs))],
      ['nbhub: DELETE → 204', ss.n, ms(ss.p50), ms(ss.min), ms(ss.max)],
      ['bare: SIGTERM → exit', su.bareStops.length, ms(median(su.bareStops)), ms(Math.min(...su.bareStops)), ms(Math.max(...su.bareStops))],
      [`nbhub: ${CONCURRENT} at once, last ready`, su.conc.length, ms(median(su.conc)), ms(Math.min(...su.conc)), ms(Math.max(...su.conc))],
      [`bare: ${CONCURRENT} at once, last ready`, su.concBare.length, ms(median(su.concBare)), ms(Math.min(...su.concBare)), ms(Math.max(...su.concBare))],
    ]);
  }
  if (setups.length > 1) {
    console.log('\nmedians, side by side:');
    table([
      ['measurement', ...setups.map((su) => su.gen.title)],
      ['bare: spawn → /api 200', ...setups.map((su) => ms(su.sb.p50))],
      ['nbhub: POST → ready through proxy', ...setups.map((su) => ms(su.sn.p50))],
      ['nbhub minus bare', ...setups.map((su) => ms(su.sn.p50 - su.sb.p50))],
      ['nbhub: DELETE → 204', ...setups.map((su) => ms(su.ss.p50))],
      ['bare: SIGTERM → exit', ...setups.map((su) => ms(median(su.bareStops)))],
      [`nbhub: ${CONCURRENT} at once, last ready`, ...setups.map((su) => ms(median(su.conc)))],
      [`bare: ${CONCURRENT} at once, last ready`, ...setups.map((su) => ms(median(su.concBare)))],
    ]);
  }

  for (const su of setups) {
    const t = su.gen.title;
    const extra = { generation: su.gen.id };
    console.log('');
    const diff = su.sn.p50 - su.sb.p50;
    target('spawn', `[${t}] nbhub start-to-ready minus bare runtime (medians)`, `${diff >= 0 ? '+' : ''}${ms(diff)} (nbhub ${ms(su.sn.p50)} vs bare ${ms(su.sb.p50)})`, '<= +100 ms', diff <= 100, extra);
    const concMedian = median(su.conc);
    target(
      'spawn',
      `[${t}] ${CONCURRENT} concurrent starts, last ready (median of ${CONCURRENT_ROUNDS})`,
      `${ms(concMedian)} (rounds ${su.conc.map(ms).join(', ')}; bare ${ms(median(su.concBare))}, rounds ${range(su.concBare)})`,
      '<= 6000 ms',
      concMedian <= 6000,
      extra,
    );
    target(
      'spawn',
      `[${t}] stop latency DELETE → 204 (median)`,
      `${ms(su.ss.p50)} (max ${ms(su.ss.max)}; bare runtime's own SIGTERM→exit ${ms(median(su.bareStops))}; ${CONCURRENT} at once: ${ms(median(su.concStop))})`,
      '<= 300 ms',
      su.ss.p50 <= 300,
      extra,
    );
  }
  for (const { hub } of setups) await hub.stop();
});
