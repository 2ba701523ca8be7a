// bench/spawn: how long a start takes through nbhub (POST, then GET /user/admin/api through the proxy
// until 200) against the bare runtime's own start-to-ready (jupyter notebook spawned here, GET /api until
// 200), both polled every 10 ms; ten concurrent starts; stop latency (DELETE until 204).
// Targets: nbhub median within 100 ms of bare; 10 concurrent starts all ready <= 6 s; stop median <= 300 ms.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { median, pollUntil, summarize } from './lib/load.mjs';
import { freePort, killMarked, runBench, sleep, spawnTracked, tmpDir } from './lib/proc.mjs';
import { banner, ms, table, target } from './lib/report.mjs';

const RUNS = Number(process.env['BENCH_SPAWN_RUNS'] ?? 10);
const CONCURRENT = Number(process.env['BENCH_SPAWN_CONCURRENT'] ?? 10);
const CONCURRENT_ROUNDS = Number(process.env['BENCH_SPAWN_CONCURRENT_ROUNDS'] ?? 3);
const POLL_MS = 10;

let bareSeq = 0;
/** The bare runtime: the command of the issue, its own start-to-ready; returns ms, then kills it. */
const bareStart = async () => {
  const dir = tmpDir(`bare-${++bareSeq}`);
  const port = await freePort();
  const since = performance.now();
  const child = spawnTracked(
    'jupyter',
    ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--NotebookApp.token=x', '--allow-root'],
    {
      cwd: dir,
      log: join(dir, 'out.log'),
      // Jupyter's own directories in a fresh place, as nbhub gives its runtimes (and nothing written to ~).
      env: { JUPYTER_CONFIG_DIR: join(dir, 'config'), JUPYTER_DATA_DIR: join(dir, 'data'), JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), IPYTHONDIR: join(dir, 'ipython') },
    },
  );
  const readyMs = await pollUntil(`http://127.0.0.1:${port}/api`, { intervalMs: POLL_MS, since, timeoutMs: 60_000 });
  /** SIGTERM to its process group; resolves the ms until it exited (SIGKILL after 5 s). */
  const stop = async () => {
    const t0 = performance.now();
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    const exited = await Promise.race([child.exited.then(() => true), sleep(5000).then(() => false)]);
    const stopMs = performance.now() - t0;
    if (!exited) await killMarked((_e, pid) => pid === child.pid, 0);
    return stopMs;
  };
  return { readyMs, stop };
};

runBench(async () => {
  banner(
    'bench/spawn',
    `Default profile (jupyter notebook 6, as detected by nbhub). Sequential: ${RUNS} runs of nbhub and ${RUNS} of the bare runtime, ` +
      `alternating, after one unrecorded warm-up of each; readiness polled every ${POLL_MS} ms on both sides. ` +
      `Concurrent: ${CONCURRENT} users started at once, ${CONCURRENT_ROUNDS} rounds (median).`,
  );
  const hub = await startHub();

  // warm-up (page cache, Python bytecode)
  {
    const b = await bareStart();
    await b.stop();
    await hub.startServer('admin', '', {}, { intervalMs: POLL_MS });
    await hub.stopServer('admin');
  }

  const nb = [];
  const bare = [];
  const stops = [];
  const bareStops = [];
  const postMs = [];
  for (let i = 1; i <= RUNS; i++) {
    // alternate which goes first, so a drift in background load does not favour one side
    const runBare = async () => {
      await waitQuiet();
      const b = await bareStart();
      await sleep(200);
      const stopMs = await b.stop();
      bare.push(b.readyMs);
      bareStops.push(stopMs);
      await sleep(200);
      return { ...b, stopMs };
    };
    const runHub = async () => {
      await waitQuiet();
      const s = await hub.startServer('admin', '', {}, { intervalMs: POLL_MS });
      nb.push(s.readyMs);
      postMs.push(s.postMs);
      await sleep(200);
      const st = await hub.stopServer('admin');
      stops.push(st.ms);
      await sleep(200);
      return { ...s, stop: st };
    };
    const [b, s] = i % 2 === 1 ? [await runBare(), await runHub()] : await runHub().then(async (h) => [await runBare(), h]);
    console.log(
      `run ${String(i).padStart(2)}: bare ready ${ms(b.readyMs)}, SIGTERM→exit ${ms(b.stopMs)}   |   nbhub ready through proxy ${ms(s.readyMs)} ` +
        `(POST ${s.status} after ${ms(s.postMs)}), DELETE ${s.stop.status} after ${ms(s.stop.ms)}`,
    );
  }
  const sb = summarize(bare);
  const sn = summarize(nb);
  const ss = summarize(stops);
  console.log('');
  table([
    ['measurement', 'n', 'median', 'min', 'max'],
    ['bare jupyter notebook: spawn → /api 200', sb.n, ms(sb.p50), ms(sb.min), ms(sb.max)],
    ['nbhub: POST → /user/admin/api 200 (proxy)', sn.n, ms(sn.p50), ms(sn.min), ms(sn.max)],
    ['nbhub: POST answered', postMs.length, ms(median(postMs)), ms(Math.min(...postMs)), ms(Math.max(...postMs))],
    ['nbhub: DELETE → 204', ss.n, ms(ss.p50), ms(ss.min), ms(ss.max)],
    ['bare jupyter notebook: SIGTERM → exit', bareStops.length, ms(median(bareStops)), ms(Math.min(...bareStops)), ms(Math.max(...bareStops))],
  ]);

  // concurrent starts
  const users = Array.from({ length: CONCURRENT }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  await hub.api('POST', '/hub/api/users', { usernames: users }, { expect: [201] });
  const conc = [];
  const concStop = [];
  const concBare = [];
  console.log('');
  for (let round = 1; round <= CONCURRENT_ROUNDS; round++) {
    await waitQuiet();
    const t0 = performance.now();
    const each = await Promise.all(users.map((u) => hub.startServer(u, '', {}, { intervalMs: POLL_MS }).then(() => performance.now() - t0)));
    const last = Math.max(...each);
    conc.push(last);
    await sleep(300);
    const s0 = performance.now();
    const st = await Promise.all(users.map((u) => hub.stopServer(u)));
    const stopAll = performance.now() - s0;
    concStop.push(stopAll);
    await sleep(300);
    await waitQuiet();
    const b0 = performance.now();
    const bares = await Promise.all(users.map(() => bareStart()));
    const bareLast = performance.now() - b0;
    concBare.push(bareLast);
    const bs0 = performance.now();
    await Promise.all(bares.map((b) => b.stop()));
    const bareStopAll = performance.now() - bs0;
    console.log(
      `concurrent round ${round}: ${CONCURRENT} nbhub starts, first ready ${ms(Math.min(...each))}, last ready ${ms(last)}; ` +
        `stopping all: ${ms(stopAll)} (${st.filter((x) => x.status === 204).length}×204); ${CONCURRENT} bare runtimes at once: last ready ${ms(bareLast)}, all exited after SIGTERM in ${ms(bareStopAll)}`,
    );
    await sleep(300);
  }

  console.log('');
  const diff = sn.p50 - sb.p50;
  target('spawn', 'nbhub start-to-ready minus bare runtime (medians)', `${diff >= 0 ? '+' : ''}${ms(diff)} (nbhub ${ms(sn.p50)} vs bare ${ms(sb.p50)})`, '<= +100 ms', diff <= 100);
  const concMedian = median(conc);
  target('spawn', `${CONCURRENT} concurrent starts, last ready (median of ${CONCURRENT_ROUNDS})`, `${ms(concMedian)} (rounds ${conc.map(ms).join(', ')}; bare ${ms(median(concBare))})`, '<= 6000 ms', concMedian <= 6000);
  target(
    'spawn',
    'stop latency DELETE → 204 (median)',
    `${ms(ss.p50)} (max ${ms(ss.max)}; bare runtime's own SIGTERM→exit ${ms(median(bareStops))}; ${CONCURRENT} at once: ${ms(median(concStop))})`,
    '<= 300 ms',
    ss.p50 <= 300,
  );
  await hub.stop();
});
