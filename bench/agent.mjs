// bench/agent: monitoring through agents (issue 6).
//  1. Events stored per second by one hub instance (nbhub start, embedded agent off) from a stream of sample
//     events: a stand-in agent in this process serves a log already holding them, through the real agent
//     log and HTTP server (dist/agent); the hub pulls, stores each batch with its offset. SQLite and PostgreSQL.
//     Targets: >= 20,000/s (SQLite), >= 50,000/s (PostgreSQL).
//  2. Lag with 1,000 runtimes at the 10 s interval: a real `nbhub agent` process watching 1,000 simulated
//     runtimes (process trees marked as the hub's), a real hub; lag = stored_at - sample time, p50/p99.
//  3. Event-loop delay of the hub's in-process agent sweeping 1,000 runtimes: sweeps inline vs in the worker.
//  4. Agent memory and CPU while watching 100 runtimes at the 10 s interval (a second agent; the other 900
//     runtimes' processes are gone by then).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { agentRecord, hubIdOf, startAgent, storedEvents } from './lib/agent.mjs';
import { cpuAccount, cpuSecondsOf, waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { summarize } from './lib/load.mjs';
import { atCleanup, markedProcesses, memoryOf, REPO, runBench, sleep, tmpDir } from './lib/proc.mjs';
import { banner, fmt, info, ms, table, target } from './lib/report.mjs';
import { memAvailable, spawnRuntimeTrees } from './lib/runtime-trees.mjs';

const env = (k, d) => process.env[k] ?? d;
const STREAM_EVENTS = Number(env('BENCH_AGENT_EVENTS', 300_000));
const RUNTIMES = Number(env('BENCH_AGENT_RUNTIMES', 1000));
const SMALL = Number(env('BENCH_AGENT_SMALL', 100));
const SWEEPS = Number(env('BENCH_AGENT_SWEEPS', 6));
const WATCH_S = Number(env('BENCH_AGENT_WATCH_S', 60));
const PG_URL = env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/test');
// BENCH_AGENT_PARTS=1 runs part 1 alone; parts 2-4 share one hub and its runtimes, so any of them runs all three.
const PARTS = new Set(env('BENCH_AGENT_PARTS', '1,2,3,4').split(',').map((x) => Number(x.trim())));
const LATER_PARTS = [2, 3, 4].some((n) => PARTS.has(n));
// BENCH_AGENT_STORES=postgres (or sqlite) measures part 1 on one store only.
const STORES = new Set(env('BENCH_AGENT_STORES', 'sqlite,postgres').split(',').map((x) => x.trim()));
const INTERVAL_S = 10;
const KERNELS = 3;
const SERIES = 1 + KERNELS;

const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
const fmtUs = (seconds) => `${(seconds * 1e6).toFixed(1)} µs`;
const pct = (v) => `${v < 1 ? v.toFixed(2) : v.toFixed(1)} %`;

/** A fresh PostgreSQL database for one part, dropped at the end (also on failure). */
const pgDatabase = async (tag) => {
  const name = `nbhub_bench_agent_${tag}_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  atCleanup(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  const backendsCpu = async () => {
    const r = await admin.query('select pid from pg_stat_activity where datname = $1', [name]);
    return r.rows.reduce((sum, x) => sum + cpuSecondsOf(x.pid), 0);
  };
  return { url: url.toString(), backendsCpu };
};

runBench(async () => {
  if (!existsSync(join(REPO, 'dist', 'agent', 'agent.js'))) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });

  banner(
    'bench/agent',
    `Monitoring through agents: (1) events stored per second by one hub from a stand-in agent serving ${fmt(STREAM_EVENTS)} sample events ` +
      `(${RUNTIMES} runtimes × ${SERIES} series) through the real log and agent API, SQLite and PostgreSQL (${PG_URL === 'none' ? 'skipped' : new URL(PG_URL).host}); ` +
      `(2) lag of ${RUNTIMES} runtimes × ${KERNELS} kernels at the ${INTERVAL_S} s interval through a real \`nbhub agent\`; ` +
      `(3) the in-process agent's event-loop delay, sweeps inline vs in a worker; (4) agent memory and CPU watching ${SMALL} runtimes for ${WATCH_S} s.`,
  );
  const results = { stream: [], lag: null, watch: null, loop: [] };

  // ---------------------------------------------------------------- 1. events stored per second
  if (PARTS.has(1)) await streamPart(results);
  if (LATER_PARTS) await laterParts(results);
  report(results);
});

const streamPart = async (results) => {
  const { EventLog } = await dist('agent/log/event-log.js');
  const { createAgentServer, listen } = await dist('agent/http-server.js');
  const { systemClock } = await dist('core/clock.js');
  const { silentLogger } = await dist('core/logger.js');
  console.log(`\n--- 1. events stored per second (one hub, batches of 20,000, stand-in agent serving a full log) ---`);
  const SECRET = 'bench-secret-'.padEnd(40, 'x');
  const logDir = tmpDir('stream-log');
  const log = EventLog.open(logDir, { maxBytes: 4 * 2 ** 30, clock: systemClock });
  const t0 = Date.now() - (STREAM_EVENTS / (RUNTIMES * SERIES)) * INTERVAL_S * 1000;
  const counters = new Float64Array(RUNTIMES * SERIES);
  for (let sweep = 0, written = 0; written < STREAM_EVENTS; sweep++) {
    const batch = [];
    for (let i = 0; i < RUNTIMES * SERIES && written < STREAM_EVENTS; i++, written++) {
      const from = counters[i];
      counters[i] += 0.5 + (i % 7) * 0.1;
      batch.push({ type: 'sample', time: t0 + sweep * INTERVAL_S * 1000, user: `u${Math.floor(i / SERIES) + 1}`, server: '', kernel: i % SERIES === 0 ? '' : `6f1c3a2e-0000-4000-8000-${String(i).padStart(12, '0')}`, cpu_from: from, cpu: counters[i], memory: 80_000_000 + i });
    }
    await log.append(batch);
  }
  console.log(`log filled: ${fmt(log.head)} events, ${fmt(log.bytes / 2 ** 20)} MB`);
  const stats = { intervalSeconds: INTERVAL_S, sweeps: 0, errors: 0, lastSweep: null, lastSweepDurationMs: null };
  // The stand-in serves the log as the agent does, but keeps it whole (no trimming on acknowledgement): each
  // store's hub reads it all from offset 0.
  const standIn = { read: (after, limit) => ({ ...log.read(after, limit), stats }), processes: () => [] };
  const server = createAgentServer({ agent: standIn, secret: () => SECRET, log: silentLogger });
  const agentPort = await listen(server, '127.0.0.1', 0);
  const stores = STORES.has('sqlite') ? [{ name: 'SQLite', dialect: 'sqlite' }] : [];
  if (PG_URL !== 'none' && STORES.has('postgres')) stores.push({ name: 'PostgreSQL', dialect: 'postgres', db: await pgDatabase('stream') });
  for (const s of stores) {
    const hub = await startHub({
      name: `stream-${s.dialect}`,
      config: { ...(s.db ? { database_url: s.db.url } : {}), monitoring: { embedded_agent: false, pull_every_seconds: 0.1, lease_seconds: 2 }, log_level: 'warn' },
    });
    const bg = await waitQuiet();
    const id = `stream-${s.dialect}`;
    await hub.api('POST', '/hub/api/agents', { id, url: `http://127.0.0.1:${agentPort}`, secret: SECRET }, { expect: [200] });
    // Timed from the first stored batch (the hub's lease round comes first) to the last.
    let first = null;
    for (;;) {
      const rec = await agentRecord(hub, id);
      if (rec.last_offset > 0) {
        first = { at: performance.now(), offset: rec.last_offset };
        break;
      }
      await sleep(20);
    }
    const acc = cpuAccount();
    const hubCpu0 = cpuSecondsOf(hub.pid);
    const selfCpu0 = process.cpuUsage();
    const pgCpu0 = s.db ? await s.db.backendsCpu() : 0;
    let last;
    for (;;) {
      last = await agentRecord(hub, id);
      if (last.last_offset >= STREAM_EVENTS) break;
      await sleep(50);
    }
    const seconds = (performance.now() - first.at) / 1000;
    const rate = (STREAM_EVENTS - first.offset) / seconds;
    const self = process.cpuUsage(selfCpu0);
    const pgCores = s.db ? ((await s.db.backendsCpu()) - pgCpu0) / seconds : NaN;
    const r = {
      store: s.name,
      rate,
      seconds,
      hubCores: (cpuSecondsOf(hub.pid) - hubCpu0) / seconds,
      pgCores,
      // This process: the stand-in agent serving the log, and the polling of the hub's API that times it.
      standInCores: (self.user + self.system) / 1e6 / seconds,
      // The PostgreSQL backends are outside this bench's processes, but they are the store being measured.
      bg: Math.max(0, acc.stop().bgCores - (Number.isFinite(pgCores) ? pgCores : 0)),
      bgBefore: bg,
      lost: last.events_lost,
    };
    results.stream.push(r);
    console.log(
      `${s.name}: ${fmt(STREAM_EVENTS - first.offset)} events in ${seconds.toFixed(1)} s = ${fmt(rate)} events/s; hub ${r.hubCores.toFixed(2)} cores` +
        (s.db ? `, PostgreSQL backends ${r.pgCores.toFixed(2)} cores` : '') +
        `, stand-in agent (this process) ${r.standInCores.toFixed(2)} cores; per event: hub ${fmtUs(r.hubCores / rate)}` +
        (s.db ? `, PostgreSQL ${fmtUs(r.pgCores / rate)}` : '') +
        `, stand-in ${fmtUs(r.standInCores / rate)}; background CPU ${r.bg.toFixed(2)} cores (${bg.toFixed(2)} before; PostgreSQL's backends and this process are not background)`,
    );
    await hub.stop();
  }
  await new Promise((r) => server.close(r));
  log.close();
};

const laterParts = async (results) => {
  const { openAgent } = await dist('cli/compose/agent.js');
  const { cryptoIds } = await dist('core/ids.js');
  const { systemClock } = await dist('core/clock.js');
  const { silentLogger } = await dist('core/logger.js');
  // ---------------------------------------------------------------- 2. a real agent over simulated runtimes
  console.log(`\n--- 2. lag: \`nbhub agent\` watching ${RUNTIMES} runtimes × ${KERNELS} kernels at the ${INTERVAL_S} s interval, hub on SQLite ---`);
  const hub = await startHub({ name: 'lag-hub', config: { monitoring: { embedded_agent: false, interval_seconds: INTERVAL_S }, log_level: 'warn' } });
  const hubId = await hubIdOf(hub);
  const memBefore = memAvailable();
  const tTrees = performance.now();
  const trees = await spawnRuntimeTrees({ first: 1, count: RUNTIMES, kernels: KERNELS, hubId, name: 'trees' });
  console.log(`${trees.length} runtimes (${trees.length * (1 + KERNELS)} processes) started in ${ms(performance.now() - tTrees)}; MemAvailable fell by ${fmt((memBefore - memAvailable()) / 2 ** 20)} MB`);
  const big = await startAgent(hub, { name: 'agent-big' });
  const bigId = big.identity().id;
  // Warm-up: two sweeps stored (the first one waits for the hub to say where counters stand).
  const sweepsStored = async () => new Set((await storedEvents(hub)).filter((e) => e.agent === bigId && e.type === 'sample').map((e) => e.time)).size;
  for (let i = 0; (await sweepsStored()) < 2; i++) {
    if (i > 120) throw new Error('the agent stored fewer than 2 sweeps in 60 s');
    await sleep(500);
  }
  const startSeq = (await storedEvents(hub)).at(-1)?.seq ?? 0;
  const bgLag = await waitQuiet();
  const accLag = cpuAccount();
  const agentCpu0 = cpuSecondsOf(big.pid);
  const hubCpu0 = cpuSecondsOf(hub.pid);
  const t1 = performance.now();
  await sleep(SWEEPS * INTERVAL_S * 1000 + 2000);
  const elapsed = (performance.now() - t1) / 1000;
  const events = (await storedEvents(hub, startSeq)).filter((e) => e.agent === bigId && e.type === 'sample');
  const lags = events.map((e) => Date.parse(e.stored_at) - Date.parse(e.time));
  const sum = summarize(lags);
  results.lag = {
    ...sum,
    sweeps: new Set(events.map((e) => e.time)).size,
    events: events.length,
    agentCores: (cpuSecondsOf(big.pid) - agentCpu0) / elapsed,
    hubCores: (cpuSecondsOf(hub.pid) - hubCpu0) / elapsed,
    agentMem: memoryOf(big.pid),
    bg: accLag.stop().bgCores,
    bgBefore: bgLag,
  };
  console.log(
    `${fmt(events.length)} samples of ${results.lag.sweeps} sweeps: lag p50 ${ms(sum.p50)}, p99 ${ms(sum.p99)}, max ${ms(sum.max)}; ` +
      `agent ${pct(results.lag.agentCores * 100)} of a core, ${fmt(results.lag.agentMem.rssMB)} MB RSS; hub ${pct(results.lag.hubCores * 100)}; background CPU ${results.lag.bg.toFixed(2)} cores`,
  );
  await big.stop();

  // ---------------------------------------------------------------- 3. event-loop delay, inline vs worker
  console.log(`\n--- 3. the in-process agent sweeping ${RUNTIMES} runtimes: event-loop delay with sweeps inline vs in its worker thread (5 sweeps each, after 2) ---`);
  for (const inline of [true, false, true, false]) {
    const opened = openAgent({
      dir: tmpDir(`loop-${inline ? 'inline' : 'worker'}-${Math.random().toString(36).slice(2, 6)}`),
      maxLogBytes: 2 ** 30,
      pss: false,
      clock: systemClock,
      logger: silentLogger,
      ids: cryptoIds,
      seeds: { lastCounters: async (rs) => new Map(rs.map((r) => [`${r.user}/${r.server}`, new Map()])) },
      settings: () => ({ hubId, intervalSeconds: INTERVAL_S, match: null }),
      inline,
    });
    for (let i = 0; i < 3; i++) await opened.agent.tick();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const durations = [];
    loop.enable();
    for (let i = 0; i < 5; i++) {
      const s0 = performance.now();
      await opened.agent.tick();
      durations.push(performance.now() - s0);
      await sleep(100);
    }
    loop.disable();
    const r = { inline, maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6, sweepMs: summarize(durations).p50, head: opened.log.head };
    results.loop.push(r);
    console.log(`${inline ? 'inline' : 'worker'}: event loop delay max ${ms(r.maxMs)}, p99 ${ms(r.p99Ms)}; sweep (incl. log append) p50 ${ms(r.sweepMs)}; ${fmt(r.head)} events logged`);
    await opened.close();
  }

  // ---------------------------------------------------------------- 4. agent memory and CPU
  console.log(`\n--- 4. agent memory and CPU watching ${SMALL} runtimes at the ${INTERVAL_S} s interval, ${WATCH_S} s ---`);
  // The other runtimes go (one by one: they share one process group), so the machine holds what it watches.
  for (const p of markedProcesses((e) => Number(/^u(\d+)\/$/.exec(e['NBHUB_RUNTIME'] ?? '')?.[1] ?? 0) > SMALL)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await sleep(500);
  const match = `^u(${Array.from({ length: SMALL }, (_, i) => i + 1).join('|')})/$`;
  const small = await startAgent(hub, { name: 'agent-small', env: { NBHUB_AGENT_MATCH: match } });
  const processes = markedProcesses().length;
  await sleep(2 * INTERVAL_S * 1000);
  const bgWatch = await waitQuiet();
  const accWatch = cpuAccount();
  const c0 = cpuSecondsOf(small.pid);
  const w0 = performance.now();
  await sleep(WATCH_S * 1000);
  const watchS = (performance.now() - w0) / 1000;
  results.watch = { cores: (cpuSecondsOf(small.pid) - c0) / watchS, mem: memoryOf(small.pid), bg: accWatch.stop().bgCores, bgBefore: bgWatch };
  console.log(
    `${processes} bench processes on the machine; agent: ${pct(results.watch.cores * 100)} of one core (${ms((results.watch.cores * INTERVAL_S * 1000))} CPU per sweep), RSS ${fmt(results.watch.mem.rssMB)} MB (peak ${fmt(results.watch.mem.hwmMB)} MB); background CPU ${results.watch.bg.toFixed(2)} cores`,
  );
  await small.stop();
  await hub.stop();
};

const report = (results) => {
  // ---------------------------------------------------------------- report
  console.log(`\n=== results ===`);
  table([
    ['store', 'events/s stored', 'hub cores', 'PostgreSQL cores', 'stand-in agent cores', 'background cores'],
    ...results.stream.map((r) => [r.store, fmt(r.rate), r.hubCores.toFixed(2), Number.isFinite(r.pgCores) ? r.pgCores.toFixed(2) : '-', r.standInCores.toFixed(2), r.bg.toFixed(2)]),
  ]);
  for (const r of results.stream) {
    const wanted = r.store === 'SQLite' ? 20_000 : 50_000;
    target('agent', `events stored per second, ${r.store} (one hub, batches of 20,000)`, `${fmt(r.rate)}/s`, `>= ${fmt(wanted)}/s`, r.rate >= wanted);
  }
  if (!results.lag) return;
  const L = results.lag;
  console.log(`\nlag with ${RUNTIMES} runtimes at ${INTERVAL_S} s: p50 ${ms(L.p50)}, p90 ${ms(L.p90)}, p99 ${ms(L.p99)}, max ${ms(L.max)} over ${fmt(L.events)} samples (${L.sweeps} sweeps)`);
  info('agent', `lag p99, ${RUNTIMES} runtimes at ${INTERVAL_S} s (sample taken -> stored)`, ms(L.p99));
  info('agent', `agent watching ${RUNTIMES} runtimes: CPU, RSS`, `${pct(L.agentCores * 100)} of a core, ${fmt(L.agentMem.rssMB)} MB`);
  const W = results.watch;
  info('agent', `agent watching ${SMALL} runtimes at ${INTERVAL_S} s: CPU, RSS (peak)`, `${pct(W.cores * 100)} of a core, ${fmt(W.mem.rssMB)} MB (${fmt(W.mem.hwmMB)} MB)`);
  const med = (inline) => summarize(results.loop.filter((r) => r.inline === inline).map((r) => r.maxMs)).p50;
  info('agent', `hub event loop blocked at most, ${RUNTIMES} runtimes: sweeps inline -> in the worker`, `${ms(med(true))} -> ${ms(med(false))}`);
};
