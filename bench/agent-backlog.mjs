// bench/agent-backlog: the hub down for 5 minutes while `nbhub agent` keeps sampling (issue 6, "Must show").
// 200 simulated runtimes × 3 kernels (process trees marked as the hub's) sampled every 2 s by a real agent;
// the hub (nbhub start, SQLite or PostgreSQL) is SIGKILLed, stays down BENCH_BACKLOG_DOWN_S (300) seconds,
// and restarts. Prints the backlog, the time to store it, and the checks the test suite makes (its shorter
// version is test/monitoring-backlog.e2e.test.ts): offsets 1..N each once, nothing lost, each series one
// unbroken CPU counter chain, no gap in a series longer than 2.5 intervals.
import pg from 'pg';
import { agentRecord, checkHistory, hubIdOf, startAgent, storedEvents } from './lib/agent.mjs';
import { startHub } from './lib/hub.mjs';
import { atCleanup, runBench, sleep } from './lib/proc.mjs';
import { banner, fmt, info, target } from './lib/report.mjs';
import { spawnRuntimeTrees } from './lib/runtime-trees.mjs';

const env = (k, d) => process.env[k] ?? d;
const DOWN_S = Number(env('BENCH_BACKLOG_DOWN_S', 300));
const RUNTIMES = Number(env('BENCH_BACKLOG_RUNTIMES', 200));
const INTERVAL_S = Number(env('BENCH_BACKLOG_INTERVAL_S', 2));
const STORE = env('BENCH_BACKLOG_STORE', 'postgres');
const PG_URL = env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/test');

runBench(async () => {
  banner(
    'bench/agent-backlog',
    `The hub down ${DOWN_S} s while \`nbhub agent\` samples ${RUNTIMES} runtimes × 3 kernels every ${INTERVAL_S} s; store: ${STORE}.`,
  );
  let database_url = '';
  if (STORE === 'postgres') {
    const name = `nbhub_bench_backlog_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    atCleanup(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    const u = new URL(PG_URL);
    u.pathname = `/${name}`;
    database_url = u.toString();
  }
  const hub = await startHub({
    name: 'backlog-hub',
    config: { ...(database_url ? { database_url } : {}), monitoring: { embedded_agent: false, interval_seconds: INTERVAL_S }, log_level: 'warn' },
  });
  const hubId = await hubIdOf(hub);
  await spawnRuntimeTrees({ first: 1, count: RUNTIMES, kernels: 3, hubId, name: 'trees' });
  const agent = await startAgent(hub, { name: 'agent' });
  const id = agent.identity().id;
  for (let i = 0; ((await agentRecord(hub, id))?.last_offset ?? 0) < RUNTIMES * 4 * 2; i++) {
    if (i > 240) throw new Error('no samples stored within 2 minutes');
    await sleep(500);
  }
  console.log(`samples flow (${fmt((await agentRecord(hub, id)).last_offset)} events stored); killing the hub (SIGKILL) for ${DOWN_S} s`);
  const headAtKill = await agent.head();
  await hub.kill('SIGKILL');
  await sleep(DOWN_S * 1000);
  const backlogHead = await agent.head();
  console.log(`the agent went on: ${fmt(backlogHead - headAtKill)} events logged while the hub was down; restarting the hub`);
  const t0 = Date.now();
  await hub.restart();
  let rec;
  for (;;) {
    rec = await agentRecord(hub, id);
    if (rec && rec.last_offset >= backlogHead) break;
    if (Date.now() - t0 > 600_000) throw new Error(`backlog not stored within 10 minutes (${rec?.last_offset} of ${backlogHead})`);
    await sleep(200);
  }
  const catchUpS = (Date.now() - t0) / 1000;
  console.log(`backlog stored ${catchUpS.toFixed(1)} s after the restart began (hub start-up included)`);
  const events = await storedEvents(hub);
  const check = checkHistory(events, id, { maxGapMs: INTERVAL_S * 2500 });
  console.log(`stored: ${fmt(check.offsets)} events of ${fmt(check.series)} series, ${fmt(check.samples)} samples; events lost ${rec.events_lost}; ${check.ok ? 'every check holds' : `problems: ${check.problems.join('; ')}`}`);
  info('agent-backlog', `backlog of a ${DOWN_S} s outage (${RUNTIMES} runtimes every ${INTERVAL_S} s), stored after restart in`, `${fmt(backlogHead - headAtKill)} events, ${catchUpS.toFixed(1)} s`);
  target('agent-backlog', `hub down ${DOWN_S} s: offsets contiguous, nothing lost or repeated, no hole in any series`, check.ok && rec.events_lost === 0 ? 'all hold' : check.problems.join('; ') || `${rec.events_lost} lost`, 'all hold', check.ok && rec.events_lost === 0);
  await agent.stop();
  await hub.stop();
});
