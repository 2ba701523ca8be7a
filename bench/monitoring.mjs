// bench/monitoring: what consumption monitoring costs (issue 3).
//  1. One sampling sweep, per process: the real Sampler (dist/agent/sampler.js) over real process trees
//     (simulated runtimes: a root and 3 "kernel" children each, see lib/runtime-trees.mjs), 100 and 1,000
//     runtimes, PSS on and off.
//  2. Hub CPU while monitoring 1,000 runtimes × 3 kernels every 10 s: the embedded agent and monitor (sampler + sessions
//     calls + store writes) in this process, SQLite and PostgreSQL. Target < 5 % of one core.
//  3. GET /hub/api/usage over 30 days on 1,000 runtimes' data: queryUsage() directly (and once through a
//     hub over HTTP), one runtime and all runtimes by user. Target p50 < 50 ms.
//  4. Storage bytes per row of each tier, and per series and day at steady state (2 d raw, 30 d 1-minute,
//     400 d 1-hour, 10 s samples).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { connect } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { cpuAccount, cpuSecondsOf, waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { httpRequest, summarize } from './lib/load.mjs';
import { atCleanup, BENCH_ID, freePort, killMarked, REPO, runBench, sleep, spawnTracked, tail, tmpDir } from './lib/proc.mjs';
import { banner, fmt, info, ms, table, target } from './lib/report.mjs';
import { memAvailable, spawnRuntimeTrees } from './lib/runtime-trees.mjs';

const env = (k, d) => process.env[k] ?? d;
const RUNTIMES = Number(env('BENCH_MON_RUNTIMES', 1000));
const SMALL = Math.min(RUNTIMES, Number(env('BENCH_MON_SMALL', 100)));
const KERNELS = 3;
const SWEEPS = Number(env('BENCH_MON_SWEEPS', 10));
const MON_SWEEPS = Number(env('BENCH_MON_MONITOR_SWEEPS', 10));
const DAYS = Number(env('BENCH_USAGE_DAYS', 30));
const MINUTE_HOURS = Number(env('BENCH_USAGE_MINUTE_HOURS', 24));
const RAW_HOURS = Number(env('BENCH_USAGE_RAW_HOURS', 2));
const RUNS = Number(env('BENCH_USAGE_RUNS', 20));
const PG_URL = env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/test');
const HTTP = env('BENCH_MON_HTTP', '1') === '1';
const QUIET_MS = Number(env('BENCH_QUIET_WAIT_MS', 8000));
const TIMEOUT_S = Number(env('BENCH_MON_TIMEOUT_S', 900));
// Which parts to run, e.g. BENCH_MON_PARTS=3 for the queries alone (the stores are filled for 2, 3 and 4).
const PARTS = new Set(env('BENCH_MON_PARTS', '1,2,3,4').split(',').map((x) => x.trim()));
const RUNS_TREES = PARTS.has('1') || PARTS.has('2');
const INTERVAL_S = 10;
const RETENTION = { raw: 2, '1m': 30, '1h': 400, '1d': 1100 };
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const us = (v) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} µs` : String(v));
const pct = (v) => `${v < 1 ? v.toFixed(2) : v.toFixed(1)} %`;
const mb = (b) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MB`;
const med = (xs) => summarize(xs).p50;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const quiet = () => waitQuiet({ maxWaitMs: QUIET_MS });

/** "now" of the usage data: the last Friday 16:00 UTC before the real time (hour-aligned, a working day). */
const lastFriday16 = () => {
  let t = Date.now() - HOUR;
  t -= t % HOUR;
  while (new Date(t).getUTCDay() !== 5 || new Date(t).getUTCHours() !== 16) t -= HOUR;
  return t;
};
const NOW = lastFriday16();

const ensureBuilt = () => {
  if (!existsSync(join(REPO, 'dist', 'agent', 'sampler.js'))) {
    console.log('dist/ is missing: running npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
};
const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);

const maxProcesses = () => {
  const m = /^Max processes\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m && m[1] !== 'unlimited' ? Number(m[1]) : Infinity;
};
const processCount = () => execFileSync('ls', ['/proc']).toString().split('\n').filter((n) => /^\d+$/.test(n)).length;

const portRefused = (port) =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (err) => resolve(err.code === 'ECONNREFUSED'));
  });

runBench(async () => {
  const watchdog = setTimeout(() => {
    console.error(`bench/monitoring: still running after ${TIMEOUT_S} s (BENCH_MON_TIMEOUT_S), stopping`);
    process.kill(process.pid, 'SIGTERM');
  }, TIMEOUT_S * 1000);
  watchdog.unref();
  ensureBuilt();
  const { Sampler } = await dist('agent/sampler.js');
  const { procfsReader } = await dist('agent/proc-reader.js');
  const { readStat, readCmdline, readPss } = await dist('procfs/proc.js');
  const { openAgent } = await dist('cli/compose/agent.js');
  const { LocalEventSource } = await dist('agent/local-source.js');
  const { Monitor } = await dist('monitor/monitor.js');
  const { storeSeeds } = await dist('monitor/store-seeds.js');
  const { cryptoIds } = await dist('core/ids.js');
  const { HttpRuntimeClient } = await dist('runtime-api/client.js');
  /**
   * The hub's monitoring as it runs with the embedded agent: the in-process agent (sweeps in its worker
   * thread, events to its log) and the monitor storing them. sweep() = one agent sweep, then one pull.
   */
  let embeddedRuns = 0;
  const embedded = async ({ store, runtimes, clock, log, pss }) => {
    const opened = openAgent({
      dir: tmpDir(`embedded-agent-${++embeddedRuns}`),
      maxLogBytes: 1 << 30,
      pss,
      clock,
      logger: log,
      ids: cryptoIds,
      seeds: storeSeeds(store),
      runtimeApi: new HttpRuntimeClient(),
      settings: () => ({ hubId: 'bench', intervalSeconds: INTERVAL_S, match: null }),
      known: () => runtimes.running().map((r) => ({ user: r.user, server: r.server, rootPid: r.rootPid, api: { target: r.target, baseUrl: r.baseUrl, token: r.token } })),
    });
    await store.agents.register({ id: opened.identity.id, url: null, secret: null, at: clock.now() });
    const monitor = new Monitor({
      store,
      clock,
      log,
      instance: 'bench',
      settings: { intervalSeconds: INTERVAL_S, pullEveryMs: 1000, batchSize: 20_000, concurrency: 8, leaseMs: 3_600_000, timeoutMs: 5000, retentionDays: RETENTION, eventsRetentionDays: 2 },
      connect: () => {
        throw new Error('no separate agents here');
      },
      local: { id: opened.identity.id, source: new LocalEventSource(opened.agent) },
    });
    await monitor.leaseTick();
    return {
      sweep: async () => {
        await opened.agent.tick();
        await monitor.pullNow();
      },
      get stats() {
        return monitor.stats;
      },
      stop: async () => {
        await opened.close();
        await monitor.stop();
      },
    };
  };
  const labelsClient = new HttpRuntimeClient();
  const { createSqliteStore } = await dist('store/sqlite/sqlite-store.js');
  const { createPostgresStore } = await dist('store/postgres/postgres-store.js');
  const { queryUsage } = await dist('usage/query.js');
  const { parseUsageParams } = await dist('usage/params.js');
  // The body the route sends: written from the answer's columns where this build has usage-json.js, else JSON.stringify.
  const usageBody = await dist('usage/usage-json.js').then((m) => m.usageJson, () => JSON.stringify);

  banner(
    'bench/monitoring',
    `Consumption monitoring: (1) one Sampler sweep per process over real process trees (simulated runtimes: a root and ${KERNELS} ` +
      `"kernel" children each, plain sleeps named like Jupyter and ipykernel), ${SMALL} and ${RUNTIMES} runtimes, PSS on/off; ` +
      `(2) hub CPU with the embedded agent and monitor (sampler in its worker thread + /api/sessions calls + event log + store writes) over ${RUNTIMES} runtimes at the ${INTERVAL_S} s interval ` +
      `(fake clock advanced ${INTERVAL_S} s per sweep, sweeps back to back, real CPU from process.cpuUsage()); ` +
      `(3) queryUsage() (what GET /hub/api/usage runs) over ${DAYS} days of ${RUNTIMES} runtimes' data; (4) storage per row and per series-day. ` +
      `SQLite (file, WAL) and PostgreSQL (${PG_URL === 'none' ? 'skipped' : new URL(PG_URL).host}).`,
  );
  const results = { sweep: [], monitor: [], queries: [], storage: {}, fill: {}, http: [] };

  // ---------------------------------------------------------------- 1. sweep cost per process
  let small = [];
  let big = [];
  let reads = { sleep: {} };
  const pyKernels = [];
  if (RUNS_TREES) {
  console.log(`\n--- 1. sampling sweep cost (Sampler.sweep over real /proc) ---`);
  const memBefore = memAvailable();
  const t0 = performance.now();
  small = await spawnRuntimeTrees({ first: 1, count: SMALL, kernels: KERNELS });
  // (at least 1 MB per runtime, whatever the noisy MemAvailable difference says)
  const memPerRuntime = Math.max(2 ** 20, (memBefore - memAvailable()) / SMALL);
  console.log(
    `${SMALL} runtimes (${SMALL * (1 + KERNELS)} processes) started in ${ms(performance.now() - t0)}; MemAvailable fell by ${mb(memBefore - memAvailable())} ` +
      `(~${(memPerRuntime / 1024).toFixed(0)} kB per runtime of ${1 + KERNELS} processes)`,
  );

  const sweepCosts = async (runtimes, label) => {
    const refs = runtimes.map((r) => ({ user: r.user, server: r.server, rootPid: r.rootPid, notebooks: {} }));
    let t = NOW;
    const clock = { now: () => t };
    const samplers = { pss: new Sampler(procfsReader, clock, { pss: true }), rss: new Sampler(procfsReader, clock, { pss: false }) };
    const cold = {};
    for (const [k, s] of Object.entries(samplers)) {
      const w0 = performance.now();
      const snaps = s.sweep(refs);
      cold[k] = performance.now() - w0;
      // The simulation must look like runtimes to the sampler: every kernel found by its command line.
      for (const [i, snap] of snaps.entries()) {
        const ids = snap.samples.map((x) => x.kernel).filter(Boolean).sort();
        if (snap.processes.length !== 1 + KERNELS || ids.join() !== [...runtimes[i].kernelIds].sort().join())
          throw new Error(`runtime ${snap.user}: sampler saw ${snap.processes.length} processes, kernels ${ids.join(',')}`);
      }
    }
    const bg = await quiet();
    const acc = cpuAccount();
    const wall = { pss: [], rss: [] };
    const cpu = { pss: [], rss: [] };
    for (let i = 0; i < SWEEPS; i++) {
      for (const k of i % 2 ? ['rss', 'pss'] : ['pss', 'rss']) {
        t += INTERVAL_S * 1000;
        const c0 = cpuNow();
        const w0 = performance.now();
        samplers[k].sweep(refs);
        wall[k].push(performance.now() - w0);
        cpu[k].push((cpuNow() - c0) * 1000);
      }
    }
    const allWall = [];
    let machine = 0;
    for (let i = 0; i < SWEEPS; i++) {
      const w0 = performance.now();
      machine = procfsReader.all().length;
      allWall.push(performance.now() - w0);
    }
    const procs = runtimes.length * (1 + KERNELS);
    const r = {
      label,
      runtimes: runtimes.length,
      procs,
      machine,
      cold,
      wall: { pss: med(wall.pss), rss: med(wall.rss) },
      cpu: { pss: med(cpu.pss), rss: med(cpu.rss) },
      all: med(allWall),
      bgBefore: bg,
      bg: acc.stop().bgCores,
    };
    r.perProc = { pss: (r.wall.pss * 1000) / procs, rss: (r.wall.rss * 1000) / procs };
    // What one more runtime process adds: the sweep minus the machine-wide /proc scan, per runtime process.
    r.marginal = { pss: ((r.wall.pss - r.all) * 1000) / procs, rss: ((r.wall.rss - r.all) * 1000) / procs };
    results.sweep.push(r);
    console.log(
      `${label}: sweep p50 ${ms(r.wall.pss)} with PSS, ${ms(r.wall.rss)} without (CPU ${ms(r.cpu.pss)} / ${ms(r.cpu.rss)}); first sweep ${ms(cold.pss)} / ${ms(cold.rss)}; ` +
        `/proc scan alone (all ${machine} processes of the machine) ${ms(r.all)}; background CPU ${r.bg.toFixed(2)} cores`,
    );
    return r;
  };

  /** µs per call of each /proc read the sampler makes, over the given pids (median of 3 passes). */
  const readCosts = (pids) => {
    const time = (fn) => {
      const passes = [];
      for (let i = 0; i < 3; i++) {
        const w0 = performance.now();
        for (const pid of pids) fn(pid);
        passes.push(((performance.now() - w0) * 1000) / pids.length);
      }
      return med(passes);
    };
    return { stat: time(readStat), cmdline: time(readCmdline), pss: time(readPss) };
  };

  await sweepCosts(small, `${SMALL} runtimes`);
  const smallPids = small.flatMap((r) => [r.rootPid]);
  reads = { sleep: readCosts(smallPids) };

  // The same reads on a process shaped like a real kernel: smaps_rollup walks every mapping and page table.
  if (existsSync('/usr/bin/python3')) {
    for (const extraMb of [0, 500]) {
      const log = join(tmpDir('python'), `py-${extraMb}.log`);
      const code = `import ipykernel.kernelapp, sys, time\nx = b'\\x01' * (${extraMb} << 20)\nprint('ready', flush=True)\ntime.sleep(600)`;
      const child = spawnTracked('/usr/bin/python3', ['-c', code], { log });
      const deadline = Date.now() + 30_000;
      while (!tail(log).includes('ready') && Date.now() < deadline) await sleep(100);
      if (!tail(log).includes('ready')) {
        console.log(`(python3 with ipykernel did not start: ${tail(log, 3)}; skipping the kernel-shaped read costs)`);
        await killMarked((_e, pid) => pid === child.pid);
        break;
      }
      const pids = Array(300).fill(child.pid);
      const c = readCosts(pids);
      const maps = readFileSync(`/proc/${child.pid}/maps`, 'utf8').split('\n').length - 1;
      pyKernels.push({ extraMb, rss: readStat(child.pid)?.rssBytes ?? NaN, maps, ...c });
      await killMarked((_e, pid) => pid === child.pid);
    }
  }

  // Memory and process limits before the big set.
  const remaining = RUNTIMES - SMALL;
  const predicted = memPerRuntime * remaining;
  const avail = memAvailable();
  const procRoom = Math.min(maxProcesses(), Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))) - processCount();
  const canRunAll = remaining <= 0 || (avail - predicted > Math.max(2 * 2 ** 30, 0.15 * totalmem()) && remaining * (1 + KERNELS) < procRoom - 2000);
  console.log(
    `before the other ${remaining} runtimes: MemAvailable ${mb(avail)}, predicted use ${mb(predicted)}; room for ${procRoom} more processes -> ` +
      (canRunAll ? 'starting them' : 'NOT starting them: the figures for 1,000 are extrapolated from what ran'),
  );
  big = small;
  if (remaining > 0 && canRunAll) {
    const t1 = performance.now();
    const rest = await spawnRuntimeTrees({ first: SMALL + 1, count: remaining, kernels: KERNELS });
    big = [...small, ...rest];
    console.log(`${remaining} more runtimes started in ${ms(performance.now() - t1)}; MemAvailable now ${mb(memAvailable())} (was ${mb(memBefore)} before any)`);
  }
  if (big.length > SMALL) await sweepCosts(big, `${big.length} runtimes`);
  reads.sleep = readCosts(big.map((r) => r.rootPid));
  reads.sleepRss = readStat(big[0].rootPid)?.rssBytes ?? NaN;
  } // RUNS_TREES
  const scale = big.length ? RUNTIMES / big.length : 1;
  const extrapolated = scale > 1.0001;

  // ---------------------------------------------------------------- 3./4. fill the stores (children)
  console.log(`\n--- filling the usage stores (${DAYS} days, ${RUNTIMES} runtimes × ${KERNELS} kernels, 8 h per weekday) ---`);
  console.log(
    `"now" of the data: ${new Date(NOW).toISOString()} (the last Friday 16:00 UTC). usage_1h: all ${DAYS} days; usage_1m: the last ${MINUTE_HOURS} h; ` +
      `usage_raw: the last ${RAW_HOURS} h + 1 h just past the 2-day retention (for prune()); one row per series per active minute; ` +
      `the last hour through store.usage.write(), the rest bulk-inserted as write() would have stored it (lib/usage-fill.mjs).`,
  );
  const fillStore = async (dialect, where) => {
    const dir = tmpDir(`fill-${dialect}`);
    const out = join(dir, 'result.json');
    const jobFile = join(dir, 'job.json');
    writeFileSync(
      jobFile,
      JSON.stringify({ dialect, ...where, now: NOW, days: DAYS, minuteHours: MINUTE_HOURS, rawHours: RAW_HOURS, runtimes: RUNTIMES, kernels: KERNELS, seed: 20240601, out }),
    );
    const log = join(dir, 'fill.log');
    const t2 = performance.now();
    const child = spawnTracked(process.execPath, [join(REPO, 'bench', 'lib', 'usage-fill.mjs'), jobFile], { log });
    const { code, signal } = await child.exited;
    if (code !== 0) throw new Error(`usage fill (${dialect}) exited ${code ?? signal}\n${tail(log)}`);
    const r = JSON.parse(readFileSync(out, 'utf8'));
    r.wallSeconds = (performance.now() - t2) / 1000;
    const rows = Object.values(r.rowsBulk).reduce((a, b) => a + b, 0);
    console.log(
      `${dialect}: ${fmt(rows)} rows bulk-inserted in ${r.bulkSeconds.toFixed(1)} s (raw ${fmt(r.rowsBulk.usage_raw)}, 1m ${fmt(r.rowsBulk.usage_1m)}, 1h ${fmt(r.rowsBulk.usage_1h)}); ` +
        `then store.usage.write(): ${fmt(r.write.rows)} rows in ${r.write.calls} calls, ${r.write.seconds.toFixed(1)} s = ${fmt(r.write.rows / r.write.seconds)} rows/s ` +
        `(each row: raw insert + 1m and 1h upserts)`,
    );
    if (r.pgStats) {
      for (const s of r.pgStats)
        if (s.n_tup_upd > 0) console.log(`  ${s.relname}: ${fmt(s.n_tup_upd)} upserted updates, ${fmt(s.n_tup_hot_upd)} HOT, ${fmt(s.n_dead_tup)} dead tuples awaiting vacuum`);
    }
    results.fill[dialect] = r;
    return r;
  };

  const stores = [];
  const sqliteDir = tmpDir('hub-sqlite'); // later the data dir of a hub serving this very file over HTTP
  const sqliteFile = join(sqliteDir, 'nbhub.sqlite');
  await fillStore('sqlite', { file: sqliteFile });
  stores.push({ name: 'SQLite', dialect: 'sqlite', open: () => createSqliteStore(sqliteFile), file: sqliteFile });

  let pgAdmin;
  let pgUrl;
  let pgName;
  if (PG_URL !== 'none') {
    pgAdmin = new pg.Client({ connectionString: PG_URL });
    try {
      await pgAdmin.connect();
    } catch (err) {
      console.log(`PostgreSQL at ${PG_URL} not reachable (${err.message}): skipping PostgreSQL`);
      pgAdmin = undefined;
    }
  }
  if (pgAdmin) {
    pgName = `nbhub_bench_${BENCH_ID.replace(/[^0-9a-z]/gi, '_')}`;
    await pgAdmin.query(`CREATE DATABASE ${pgName}`);
    atCleanup(async () => {
      await pgAdmin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
      await pgAdmin.end();
    });
    const u = new URL(PG_URL);
    u.pathname = `/${pgName}`;
    pgUrl = u.toString();
    await fillStore('postgres', { url: pgUrl });
    stores.push({ name: 'PostgreSQL', dialect: 'postgres', open: () => createPostgresStore(pgUrl), url: pgUrl });
  }

  // ---------------------------------------------------------------- 3. queries
  console.log(`\n--- 3. queryUsage() (the body of GET /hub/api/usage), p50/p99 over ${RUNS} runs after 2 warm-ups ---`);
  const from30 = String((NOW - DAYS * DAY) / 1000);
  const from24 = String((NOW - 24 * HOUR) / 1000);
  const to = String(NOW / 1000);
  const params = (q) => parseUsageParams(q, { now: NOW, intervalSeconds: INTERVAL_S, retentionDays: RETENTION });
  // `server=` (the default server) where this build accepts an empty value; else the user's every server (one here).
  let one = { user: 'u1', server: '' };
  try {
    params({ ...one, group_by: 'server', from: from30, to });
  } catch {
    one = { user: 'u1' };
  }
  const oneLabel = `user=u1${one.server === '' ? '&server=' : ''}, group_by=server`;
  const cases = [
    { key: 'a', label: `one runtime (${oneLabel}), ${DAYS} days`, q: { ...one, group_by: 'server', from: from30, to }, runs: RUNS, target: true },
    { key: 'b', label: `all runtimes by user (group_by=user), ${DAYS} days, default step`, q: { group_by: 'user', from: from30, to }, runs: RUNS, target: true },
    // A finer chart of the month: hourly rows instead of daily ones.
    { key: 'b4h', label: `all runtimes by user (group_by=user), ${DAYS} days, step=14400 (a 4-hour chart)`, q: { group_by: 'user', from: from30, to, step: '14400' }, runs: Math.min(RUNS, 5) },
    { key: 'c', label: `one runtime (${oneLabel}), last 24 h`, q: { ...one, group_by: 'server', from: from24, to }, runs: Math.min(RUNS, 10) },
    { key: 'd', label: 'all runtimes by user (group_by=user), last 24 h', q: { group_by: 'user', from: from24, to }, runs: Math.min(RUNS, 5) },
  ];
  for (const s of PARTS.has('3') ? stores : []) {
    const store = s.open();
    await quiet();
    for (const c of cases) {
      const p = params(c.q);
      for (let i = 0; i < 2; i++) await queryUsage(store, p, NOW);
      const times = [];
      const acc = cpuAccount();
      let res;
      for (let i = 0; i < c.runs; i++) {
        const w0 = performance.now();
        res = await queryUsage(store, p, NOW);
        times.push(performance.now() - w0);
      }
      const bg = acc.stop().bgCores;
      // Where the time goes: the store's SELECT (rows → objects) vs aggregate(); and the JSON the route would send.
      const dbTimes = [];
      let rows = 0;
      for (let i = 0; i < 3; i++) {
        const w0 = performance.now();
        const width = { raw: 0, '1m': MINUTE, '1h': HOUR, '1d': DAY }[p.resolution];
        const from = width ? Math.floor(p.from / width) * width : p.from; // as queryUsage asks the store
        // What queryUsage asks the store for: each series' rows packed (store.usage.series); rows counted in them.
        const q = { resolution: p.resolution, from, to: p.to, user: p.user, server: p.server, kernels: 'runtime' };
        rows = store.usage.series ? (await store.usage.series(q)).reduce((a, x) => a + x.t.length, 0) : (await store.usage.query(q)).length;
        dbTimes.push(performance.now() - w0);
      }
      // The body as the route writes it, median of 5 (the first runs unoptimised: a JS writer pays for that,
      // JSON.stringify does not). Alternated with the reference where the answer is columns: the object per
      // point the route used to build, JSON.stringify and UTF-8 (what fastify did), which must give the same bytes.
      const columns = Boolean(res.series[0]?.t);
      const objectBody = () =>
        Buffer.from(JSON.stringify({ series: res.series.map((x) => ({ labels: x.labels, points: x.t.map((t, k) => ({ t, cpu: x.cpu[k], memory: x.memory[k] })) })), totals: res.totals }), 'utf8');
      const jsonTimes = [];
      const refTimes = [];
      let json;
      for (let i = 0; i < 5; i++) {
        const j0 = performance.now();
        json = usageBody(res);
        jsonTimes.push(performance.now() - j0);
        if (!columns) continue;
        const j1 = performance.now();
        const ref = objectBody();
        refTimes.push(performance.now() - j1);
        if (i === 0 && !ref.equals(Buffer.from(json))) throw new Error(`(${c.key}): the body differs from JSON.stringify of the object form`);
      }
      const jsonMs = med(jsonTimes);
      const objectJsonMs = columns ? med(refTimes) : undefined;
      const sum = summarize(times);
      const r = {
        store: s.name,
        ...c,
        resolution: p.resolution,
        stepS: p.step / 1000,
        p50: sum.p50,
        p99: sum.p99,
        db: med(dbTimes),
        rows,
        series: res.series.length,
        points: res.series.reduce((a, x) => a + (x.points ?? x.t).length, 0),
        jsonBytes: json.length,
        jsonMs,
        bg,
      };
      results.queries.push(r);
      console.log(
        `${s.name} (${c.key}) ${c.label}: p50 ${ms(r.p50)}, p99 ${ms(r.p99)} — ${r.resolution} rows, step ${r.stepS} s, ${fmt(rows)} rows read ` +
          `(the store's part alone ${ms(r.db)}), ${r.series} series / ${fmt(r.points)} points, JSON ${fmt(r.jsonBytes / 1024)} kB (written in ${ms(jsonMs)}${objectJsonMs === undefined ? '' : `; objects + JSON.stringify: ${ms(objectJsonMs)}`}); background CPU ${bg.toFixed(2)} cores`,
      );
    }
    if (s.dialect === 'sqlite') {
      // The plan SQLite picks for (b) (the hub never runs ANALYZE).
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(s.file, { readonly: true });
      const plan = db
        .prepare(
          `explain query plan select s.id, json_group_array(u.t) from usage_series s cross join usage_1d u on u.series = s.id ` +
            `where s.kernel = ? and u.t >= ? and u.t <= ? group by s.id order by s.user_name, s.server, s.kernel`,
        )
        .all('', NOW - 30 * DAY, NOW)
        .map((x) => x.detail)
        .join('; ');
      db.close();
      console.log(`  SQLite plan for (b): ${plan}`);
      results.sqlitePlan = plan;
    }

    // Retention: the hourly prune(), here deleting the 1 h of raw rows past 2 days (at 1 row/min/series).
    const c0 = cpuNow();
    const w0 = performance.now();
    await store.usage.prune(Object.fromEntries(Object.entries(RETENTION).map(([r, d]) => [r, NOW - d * DAY])));
    const pruneMs = performance.now() - w0;
    const pruneCpu = (cpuNow() - c0) * 1000;
    results.prune ??= {};
    results.prune[s.name] = { ms: pruneMs, cpuMs: pruneCpu };
    await store.close();
  }

  // ---------------------------------------------------------------- 2. hub CPU while monitoring
  if (PARTS.has('2')) {
  console.log(`\n--- 2. hub CPU: embedded agent + monitor over ${big.length} runtimes × ${KERNELS} kernels, ${MON_SWEEPS} sweeps after 2 warm-ups ---`);
  const refused = await portRefused(9);
  const refusedTarget = refused ? 'http://127.0.0.1:9' : `http://127.0.0.1:${await freePort()}`;
  if (!refused) console.log(`(something listens on port 9; using ${refusedTarget}, free, for the refused variant)`);
  const sessionsDir = tmpDir('sessions');
  const sessionsPort = await freePort();
  writeFileSync(join(sessionsDir, 'kernels.json'), JSON.stringify(Object.fromEntries(big.map((r) => [r.user, r.kernelIds]))));
  const sessionsServer = spawnTracked(process.execPath, [join(REPO, 'bench', 'lib', 'sessions-server.mjs'), String(sessionsPort), join(sessionsDir, 'kernels.json')], {
    log: join(sessionsDir, 'server.log'),
  });
  for (let i = 0; ; i++) {
    try {
      if ((await httpRequest('GET', `http://127.0.0.1:${sessionsPort}/user/u1/api/sessions`)).status === 200) break;
    } catch {
      // not yet
    }
    if (i > 200) throw new Error(`sessions server did not start\n${tail(join(sessionsDir, 'server.log'))}`);
    await sleep(50);
  }
  const running = (variant) =>
    big.map((r) => ({
      user: r.user,
      server: r.server,
      profile: 'default',
      rootPid: r.rootPid,
      target: variant === 'refused' ? refusedTarget : `http://127.0.0.1:${sessionsPort}`,
      baseUrl: `/user/${r.user}/`,
      token: 'x',
    }));
  let monNow = NOW + HOUR; // after the data the queries read
  const monClock = { now: () => monNow };
  const pgBackends = async () => {
    if (!pgAdmin) return new Map();
    const r = await pgAdmin.query('select pid from pg_stat_activity where datname = $1', [pgName]);
    return new Map(r.rows.map((x) => [x.pid, cpuSecondsOf(x.pid)]));
  };
  const variants = [
    { sessions: 'refused', pss: true },
    { sessions: 'answered', pss: true },
    { sessions: 'answered', pss: false },
  ];
  for (const s of stores) {
    const store = s.open();
    for (const { sessions: variant, pss } of variants) {
      const list = running(variant);
      let sessionFailures = 0;
      const log = { debug: () => sessionFailures++, info() {}, warn() {}, error: (o) => console.error('monitor error:', o?.err?.message ?? o) };
      const monitor = await embedded({ store, runtimes: { running: () => list }, clock: monClock, log, pss });
      for (let i = 0; i < 2; i++) {
        monNow += INTERVAL_S * 1000;
        await monitor.sweep();
      }
      const bgBefore = await quiet();
      sessionFailures = 0;
      const errors0 = monitor.stats.errors;
      const pg0 = s.dialect === 'postgres' ? await pgBackends() : new Map();
      const acc = cpuAccount();
      // Longest stretch the event loop (which in the hub also proxies every request) was blocked.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const c0 = cpuNow();
      const durations = [];
      for (let i = 0; i < MON_SWEEPS; i++) {
        monNow += INTERVAL_S * 1000;
        await monitor.sweep();
        durations.push(monitor.stats.lastSweepDurationSeconds * 1000);
      }
      const cpu = cpuNow() - c0;
      loop.disable();
      const bg = acc.stop().bgCores;
      let pgCpu = NaN;
      if (s.dialect === 'postgres') {
        const pg1 = await pgBackends();
        pgCpu = 0;
        for (const [pid, after] of pg1) pgCpu += after - (pg0.get(pid) ?? 0);
      }
      const r = {
        store: s.name,
        variant,
        pss,
        runtimes: big.length,
        loopMaxMs: loop.max / 1e6,
        cpuPerSweepMs: (cpu * 1000) / MON_SWEEPS,
        pctCore: (cpu / (MON_SWEEPS * INTERVAL_S)) * 100,
        sweepMs: med(durations),
        sweepMaxMs: Math.max(...durations),
        pgPctCore: (pgCpu / (MON_SWEEPS * INTERVAL_S)) * 100,
        sessionFailuresPerSweep: sessionFailures / MON_SWEEPS,
        errors: monitor.stats.errors - errors0,
        bg,
        bgBefore,
      };
      results.monitor.push(r);
      console.log(
        `${s.name}, sessions ${variant}, ${pss ? 'PSS' : 'RSS only'}: ${ms(r.cpuPerSweepMs)} CPU per sweep = ${pct(r.pctCore)} of one core at ${INTERVAL_S} s` +
          (extrapolated ? ` (× ${scale.toFixed(1)} for ${RUNTIMES}: ${pct(r.pctCore * scale)}, extrapolated)` : '') +
          `; sweep wall p50 ${ms(r.sweepMs)} (max ${ms(r.sweepMaxMs)}); event loop blocked up to ${ms(r.loopMaxMs)} at once` +
          (s.dialect === 'postgres' ? `; PostgreSQL backends ${pct(r.pgPctCore)} of one core` : '') +
          `; sessions calls failed ${r.sessionFailuresPerSweep.toFixed(0)}/${big.length} per sweep; sweep errors ${r.errors}; background CPU ${bg.toFixed(2)} cores`,
      );
      await monitor.stop();
    }

    // Where a sweep's CPU goes, piece by piece (3 repetitions each, median).
    const parts = {};
    const timeIt = async (name, fn, reps = 3) => {
      const cpuMs = [];
      const wallMs = [];
      for (let i = 0; i < reps; i++) {
        const c0 = cpuNow();
        const w0 = performance.now();
        await fn();
        wallMs.push(performance.now() - w0);
        cpuMs.push((cpuNow() - c0) * 1000);
      }
      parts[name] = { cpuMs: med(cpuMs), wallMs: med(wallMs) };
    };
    for (const variant of ['refused', 'answered']) {
      const list = running(variant);
      await timeIt(`sessions (${variant})`, () => Promise.all(list.map((r) => labelsClient.labelsByKernel(r).catch(() => undefined))));
    }
    const sampler = new Sampler(procfsReader, monClock, { pss: true });
    const refs = big.map((r) => ({ user: r.user, server: r.server, rootPid: r.rootPid, notebooks: {} }));
    sampler.sweep(refs);
    let snaps;
    await timeIt('sampler.sweep (PSS)', () => {
      monNow += INTERVAL_S * 1000;
      snaps = sampler.sweep(refs);
    });
    const samplerRss = new Sampler(procfsReader, monClock, { pss: false });
    samplerRss.sweep(refs);
    await timeIt('sampler.sweep (RSS only)', () => {
      monNow += INTERVAL_S * 1000;
      samplerRss.sweep(refs);
    });
    await timeIt(`store.usage.write (${big.length * (1 + KERNELS)} rows)`, async () => {
      monNow += INTERVAL_S * 1000;
      const rows = snaps.flatMap((x) => x.samples.map((y) => ({ user: y.user, server: y.server, kernel: y.kernel ?? '', t: monNow, cpuFrom: y.cpuSecondsFrom, cpu: y.cpuSecondsTotal, memory: y.memoryBytes })));
      await store.usage.write(rows);
    });
    const nb = big.flatMap((r) => r.kernelIds.map((kernel, k) => ({ user: r.user, server: r.server, kernel, notebook: `work/analysis-${k + 1}.ipynb` })));
    await timeIt(`store.usage.noteNotebooks (${nb.length} rows)`, () => store.usage.noteNotebooks(nb, monNow));
    results.parts ??= {};
    results.parts[s.name] = parts;
    await store.close();
  }
  await killMarked((_e, pid) => pid === sessionsServer.pid);
  } // part 2
  // The runtime trees are not needed any more.
  const launchers = new Set(big.map((r) => r.launcherPid));
  await killMarked((_e, pid) => launchers.has(pid) || big.some((r) => r.rootPid === pid));

  // ---------------------------------------------------------------- 3b. once over HTTP
  if (HTTP && PARTS.has('3')) {
    console.log(`\n--- 3b. GET /hub/api/usage over HTTP (nbhub on the same data, embedded agent off, admin token, keep-alive), ${RUNS} runs after 2 warm-ups ---`);
    for (const s of stores) {
      const hub = await startHub({
        name: s.dialect === 'sqlite' ? 'hub-sqlite' : 'hub-pg',
        config: { ...(s.url ? { database_url: s.url } : {}), monitoring: { embedded_agent: false }, log_level: 'warn' },
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (const c of cases.filter((x) => x.target)) {
        const url = `${hub.url}/hub/api/usage?${new URLSearchParams(c.q)}`;
        const times = [];
        let bytes = 0;
        const acc = cpuAccount();
        for (let i = 0; i < RUNS + 2; i++) {
          const r = await httpRequest('GET', url, { headers: hub.auth, agent });
          if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
          bytes = r.text.length;
          if (i >= 2) times.push(r.ms);
        }
        const sum = summarize(times);
        const bg = acc.stop().bgCores;
        results.http.push({ store: s.name, key: c.key, label: c.label, p50: sum.p50, p99: sum.p99, bytes, bg });
        console.log(`${s.name} (${c.key}) ${c.label}: p50 ${ms(sum.p50)}, p99 ${ms(sum.p99)}, ${fmt(bytes / 1024)} kB; background CPU ${bg.toFixed(2)} cores`);
      }
      agent.destroy();
      await hub.stop();
    }
  }

  // ---------------------------------------------------------------- report
  console.log(`\n=== results ===`);
  if (results.sweep.length) {
  console.log(`\n1. One sampling sweep (Sampler.sweep, real /proc; ${1 + KERNELS} processes per runtime; median of ${SWEEPS} sweeps):`);
  table([
    ['runtimes', 'processes (machine)', 'sweep, PSS', 'sweep, RSS only', 'per runtime process, PSS', 'RSS only', 'marginal*, PSS', 'RSS only', '/proc scan'],
    ...results.sweep.map((r) => [
      fmt(r.runtimes),
      `${fmt(r.procs)} (${fmt(r.machine)})`,
      ms(r.wall.pss),
      ms(r.wall.rss),
      us(r.perProc.pss),
      us(r.perProc.rss),
      us(r.marginal.pss),
      us(r.marginal.rss),
      ms(r.all),
    ]),
  ]);
  console.log(
    `  * marginal: (sweep − the machine-wide /proc/*/stat scan that every sweep makes once) / runtime processes. ` +
      `Reads per call on the simulated processes (sleep, ${mb(reads.sleepRss)} RSS): ` +
      `stat ${us(reads.sleep.stat)}, cmdline ${us(reads.sleep.cmdline)}, smaps_rollup (PSS) ${us(reads.sleep.pss)}.`,
  );
  for (const k of pyKernels)
    console.log(
      `  on a python3 process with ipykernel imported${k.extraMb ? ` and ${k.extraMb} MB allocated` : ''} (RSS ${mb(k.rss)}, ${k.maps} mappings): ` +
        `stat ${us(k.stat)}, cmdline ${us(k.cmdline)}, smaps_rollup ${us(k.pss)} per call`,
    );
  const sweepBig = results.sweep[results.sweep.length - 1];
  const idleKernel = pyKernels.find((k) => k.extraMb === 0);
  if (idleKernel) {
    // PSS costs a page-table walk per process, so it grows with resident memory; the sleeps above are ~2 MB.
    const extra = (RUNTIMES * (1 + KERNELS) * (idleKernel.pss - reads.sleep.pss)) / 1000;
    results.pssProjection = { extraMs: extra, pct: (extra / (INTERVAL_S * 1000)) * 100 };
    console.log(
      `  ESTIMATE (not measured on real runtimes): with ${fmt(RUNTIMES * (1 + KERNELS))} processes the size of an idle ipykernel (${mb(idleKernel.rss)}), ` +
        `the PSS reads alone add ≈ ${fmt(RUNTIMES * (1 + KERNELS))} × ${us(idleKernel.pss - reads.sleep.pss)} = ${ms(extra)} per sweep, ` +
        `≈ ${pct(results.pssProjection.pct)} of one core at ${INTERVAL_S} s, on top of the figures below; they grow with each kernel's resident memory ` +
        `(${us(pyKernels.find((k) => k.extraMb === 500)?.pss ?? NaN)} per call at 565 MB).`,
    );
    info('monitoring', `PSS read (smaps_rollup) per process`, `${us(reads.sleep.pss)} on a 2 MB sleep, ${pyKernels.map((k) => `${us(k.pss)} on a ${mb(k.rss)} python3+ipykernel`).join(', ')}`);
  }
  for (const r of results.sweep)
    info('monitoring', `sweep cost per process, ${fmt(r.runtimes)} runtimes (${fmt(r.procs)} processes)`, `${us(r.perProc.pss)} with PSS, ${us(r.perProc.rss)} RSS only (sweep ${ms(r.wall.pss)} / ${ms(r.wall.rss)})`);
  if (extrapolated) {
    const est = (sweepBig.marginal.pss * RUNTIMES * (1 + KERNELS)) / 1000 + sweepBig.all;
    console.log(`  EXTRAPOLATED to ${RUNTIMES} runtimes from ${sweepBig.runtimes}: sweep with PSS ≈ ${ms(est)}`);
  }

  } // part 1

  console.log(`\n2. Hub CPU while monitoring ${fmt(big.length)} runtimes × ${KERNELS} kernels every ${INTERVAL_S} s (${MON_SWEEPS} sweeps, sessions answered by a stand-in server or refused):`);
  table([
    ['store', '/api/sessions', 'memory', 'CPU per sweep', '% of one core', 'sweep wall p50', 'longest loop block', 'PostgreSQL backends', 'bg CPU'],
    ...results.monitor.map((r) => [
      r.store,
      r.variant,
      r.pss ? 'PSS' : 'RSS only',
      ms(r.cpuPerSweepMs),
      pct(r.pctCore) + (extrapolated ? ` (×${scale.toFixed(1)}: ${pct(r.pctCore * scale)})` : ''),
      ms(r.sweepMs),
      ms(r.loopMaxMs),
      Number.isFinite(r.pgPctCore) ? pct(r.pgPctCore) : '-',
      r.bg.toFixed(2),
    ]),
  ]);
  for (const [store, parts] of Object.entries(results.parts ?? {})) {
    console.log(`  ${store}, pieces of a sweep (CPU / wall, median of 3): ` + Object.entries(parts).map(([k, v]) => `${k} ${ms(v.cpuMs)} / ${ms(v.wallMs)}`).join('; '));
  }
  for (const [store, p] of Object.entries(results.prune ?? {})) {
    const n = results.fill[store === 'SQLite' ? 'sqlite' : 'postgres'].pruneRows;
    const perHour = (p.ms / n) * RUNTIMES * (1 + KERNELS) * (3600 / INTERVAL_S);
    console.log(
      `  ${store}: the hourly prune() deleting ${fmt(n)} raw rows (1 h at 1 row/min/series) took ${ms(p.ms)} (hub CPU ${ms(p.cpuMs)}); ` +
        `at ${INTERVAL_S} s samples it deletes up to ${fmt(RUNTIMES * (1 + KERNELS) * 360)} rows an hour: ≈ ${ms(perHour)} per hour = ${((perHour / 3_600_000) * 100).toFixed(3)} % of a core (wall).`,
    );
  }
  for (const s of stores) {
    const rs = results.monitor.filter((r) => r.store === s.name);
    if (rs.length === 0) continue;
    // The verdict is on the default configuration (RSS; PSS is opt-in, monitoring.pss), sessions answered.
    const pssRuns = rs.filter((r) => r.pss);
    const rssOnly = rs.find((r) => !r.pss);
    const worstPss = Math.max(...pssRuns.map((r) => r.pctCore)) * scale;
    const pgNote = s.dialect === 'postgres' ? `; PostgreSQL server ${rs.map((r) => pct(r.pgPctCore)).join(' / ')} more` : '';
    target(
      'monitoring',
      `hub CPU monitoring ${RUNTIMES} runtimes × ${KERNELS} kernels at ${INTERVAL_S} s, ${s.name}${extrapolated ? ' (EXTRAPOLATED)' : ''}`,
      `${pct(rssOnly.pctCore * scale)} of one core (default: RSS); with monitoring.pss ${pct(worstPss)} (sessions refused ${pct(pssRuns[0].pctCore * scale)}, answered ${pct(pssRuns[1].pctCore * scale)})` +
        `${pgNote}; event loop blocked up to ${ms(Math.max(...rs.map((r) => r.loopMaxMs)))}; simulated (sleep) processes`,
      '< 5 % of one core',
      rssOnly.pctCore * scale < 5,
    );
    // Issue 14: storing a sweep must not hold up the proxy and the API that share the hub's event loop.
    const worstLoop = rs.reduce((a, b) => (b.loopMaxMs > a.loopMaxMs ? b : a));
    target(
      'monitoring',
      `longest event-loop block while storing sweeps of ${RUNTIMES} runtimes, ${s.name}${extrapolated ? ' (EXTRAPOLATED CPU)' : ''}`,
      `${ms(worstLoop.loopMaxMs)} (in ${worstLoop.variant} sessions, ${worstLoop.pss ? 'PSS' : 'RSS only'}; ` +
        `per variant ${rs.map((r) => ms(r.loopMaxMs)).join(' / ')}); hub CPU meanwhile ${rs.map((r) => pct(r.pctCore * scale)).join(' / ')} of one core${pgNote}`,
      '<= 50 ms',
      worstLoop.loopMaxMs <= 50,
    );
  }

  console.log(`\n3. queryUsage() latency (what GET /hub/api/usage runs; default step; p50/p99):`);
  table([
    ['store', 'query', 'tier', 'step', 'rows read', 'p50', 'p99', 'SELECT part', 'JSON'],
    ...results.queries.map((r) => [r.store, `(${r.key}) ${r.label}`, r.resolution, `${r.stepS} s`, fmt(r.rows), ms(r.p50), ms(r.p99), ms(r.db), `${fmt(r.jsonBytes / 1024)} kB`]),
  ]);
  if (results.http.length) {
    console.log('  over HTTP through nbhub:');
    table([['store', 'query', 'p50', 'p99'], ...results.http.map((r) => [r.store, `(${r.key}) ${r.label}`, ms(r.p50), ms(r.p99)])]);
  }
  for (const r of results.queries.filter((x) => x.target)) {
    const h = results.http.find((x) => x.store === r.store && x.key === r.key);
    target(
      'monitoring',
      `usage query p50, ${r.store}, (${r.key}) ${r.label}, ${RUNTIMES} runtimes' data`,
      `${ms(r.p50)} (p99 ${ms(r.p99)}; ${fmt(r.rows)} ${r.resolution} rows${h ? `; over HTTP p50 ${ms(h.p50)}` : ''})`,
      'p50 < 50 ms',
      r.p50 < 50,
    );
  }
  for (const r of results.queries.filter((x) => !x.target)) info('monitoring', `usage query p50, ${r.store}, (${r.key}) ${r.label}`, `${ms(r.p50)} (${fmt(r.rows)} ${r.resolution} rows)`);

  console.log(`\n4. Storage (bytes per stored row of each tier, indexes included; measured on the filled stores):`);
  const perDay = { usage_raw: 86_400 / INTERVAL_S, usage_1m: 1440, usage_1h: 24, usage_1d: 1 };
  const kept = { usage_raw: RETENTION.raw, usage_1m: RETENTION['1m'], usage_1h: RETENTION['1h'], usage_1d: RETENTION['1d'] };
  const rows4 = [['store', 'tier', 'rows', 'bytes', 'bytes/row', 'rows/series/day', 'kept', 'bytes/series/day', 'steady state/series']];
  const activeFraction = (8 / 24) * (5 / 7);
  for (const s of stores) {
    const st = results.fill[s.dialect].storage;
    const b = {};
    let steady = 0;
    for (const t of ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d']) {
      const x = st.tables[t];
      b[t] = x.bytes / x.rows;
      steady += b[t] * perDay[t] * kept[t];
      rows4.push([s.name, t, fmt(x.rows), mb(x.bytes), b[t].toFixed(1), fmt(perDay[t]), `${kept[t]} d`, `${fmt(b[t] * perDay[t] / 1024, 1)} kB`, mb(b[t] * perDay[t] * kept[t])]);
    }
    const afterRollup = (b.usage_1m * 1440 + b.usage_1h * 24) / perDay.usage_raw;
    const longTerm = (b.usage_1h * 24) / perDay.usage_raw;
    const series = RUNTIMES * (1 + KERNELS);
    results.storage[s.name] = { perRow: b, steady, afterRollup, longTerm };
    rows4.push([s.name, 'all tiers', '', '', '', '', '', `${fmt((b.usage_raw * perDay.usage_raw + b.usage_1m * 1440 + b.usage_1h * 24 + b.usage_1d) / 1024, 1)} kB`, mb(steady)]);
    console.log(
      `  ${s.name}: per raw sample (${fmt(perDay.usage_raw)}/series/day at ${INTERVAL_S} s): ${b.usage_raw.toFixed(0)} B while raw (2 d), ` +
        `then ${afterRollup.toFixed(1)} B per sample-day in the rollups (1m + 1h) up to 30 d, ${longTerm.toFixed(2)} B after (1h only, to 400 d). ` +
        `Steady state for ${fmt(RUNTIMES)} runtimes × ${1 + KERNELS} series: ${(steady * series / 2 ** 30).toFixed(1)} GB if always active, ` +
        `${((steady * series * activeFraction) / 2 ** 30).toFixed(1)} GB at 8 h per weekday.`,
    );
    info(
      'monitoring',
      `storage per series-day, ${s.name}`,
      `${fmt((b.usage_raw * perDay.usage_raw) / 1024)} kB raw (${b.usage_raw.toFixed(0)} B/sample, kept 2 d) + ${fmt((b.usage_1m * 1440) / 1024, 1)} kB 1m (30 d) + ` +
        `${fmt((b.usage_1h * 24) / 1024, 1)} kB 1h (400 d); ${afterRollup.toFixed(1)} B/sample after rollup, ${longTerm.toFixed(2)} B/sample after 30 d; ` +
        `steady state ${mb(steady)} per always-active series`,
    );
  }
  table(rows4);
  if (results.fill.sqlite?.storage)
    console.log(`  SQLite file ${mb(results.fill.sqlite.storage.fileBytes)}, page size ${results.fill.sqlite.storage.pageSize}, free pages ${results.fill.sqlite.storage.freelistPages}.`);
  console.log(
    `  Conditions: ${cpus().length} cores; rows inserted in time order as the hub writes them; 1m/raw tiers partly filled (per-row cost measured on ` +
      `${fmt(results.fill.sqlite.storage.tables.usage_1m.rows)} / ${fmt(results.fill.sqlite.storage.tables.usage_raw.rows)} rows), steady state computed from bytes/row × retention.`,
  );
});
