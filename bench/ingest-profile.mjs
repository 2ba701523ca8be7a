// bench/ingest-profile: where the time of storing one batch of agent samples goes (issue 6), per event.
// Hub side (this process, the hub's own code from dist/): JSON parse of the agent's answer, toWrite, and the
// store call. Store side: each SQL statement's wall time and, on PostgreSQL, the backend's CPU (from
// /proc/<backend pid>/stat, the pool holds one connection). Not a target: a breakdown to find the cost.
//   BENCH_PROFILE_BATCHES (15) batches of BENCH_PROFILE_BATCH (20,000) events, 1,000 runtimes x 4 series.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import Database from 'better-sqlite3';
import { REPO, tmpDir } from './lib/proc.mjs';

const env = (k, d) => process.env[k] ?? d;
const BATCHES = Number(env('BENCH_PROFILE_BATCHES', 15));
const BATCH = Number(env('BENCH_PROFILE_BATCH', 20_000));
const PG_URL = env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/test');
const STORES = env('BENCH_PROFILE_STORES', 'postgres,sqlite').split(',');
const RUNTIMES = 1000;
const SERIES = 4;
const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
const { createKyselyStore } = await dist('store/kysely-store.js');
const { toWrite } = await dist('monitor/to-store.js');
const { encodeLine } = await dist('agent/log/lines.js');

const ticks = (pid) => {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(rest[11]) + Number(rest[12])) * 10; // ms
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The agent's answers, as the wire carries them: one JSON body per batch. */
const bodies = () => {
  const out = [];
  const t0 = Date.now() - 3600_000;
  const counters = new Float64Array(RUNTIMES * SERIES);
  let offset = 0;
  for (let b = 0; b < BATCHES; b++) {
    const lines = [];
    for (let k = 0; k < BATCH; k++) {
      const i = offset % (RUNTIMES * SERIES);
      const sweep = Math.floor(offset / (RUNTIMES * SERIES));
      const from = counters[i];
      counters[i] += 0.5 + (i % 7) * 0.1;
      offset++;
      lines.push(encodeLine(offset, { type: 'sample', time: t0 + sweep * 10_000, user: `u${Math.floor(i / SERIES) + 1}`, server: '', kernel: i % SERIES === 0 ? '' : `6f1c3a2e-0000-4000-8000-${String(i).padStart(12, '0')}`, cpu_from: from, cpu: counters[i], memory: 80_000_000 + i }));
    }
    out.push(`{"head":${BATCHES * BATCH},"head_time":null,"stats":{},"events":[${lines.join(',')}]}`);
  }
  return out;
};

/** Statement kinds, by what they touch. */
const kindOf = (q) => {
  const m = /^(insert into|update|select pg_advisory|begin|commit|select)\s*"?([a-z_0-9]*)/i.exec(q.trim());
  return m ? `${m[1].toLowerCase()} ${m[2] ?? ''}`.trim() : q.slice(0, 30);
};

const open = async (kind) => {
  const stats = new Map();
  let last = 0;
  let backend = null;
  const note = (name, wall) => {
    const now = backend ? ticks(backend) : 0;
    const s = stats.get(name) ?? { n: 0, wall: 0, cpu: 0 };
    s.n++;
    s.wall += wall;
    s.cpu += now - last;
    last = now;
    stats.set(name, s);
  };
  const log = (e) => note(kindOf(e.query.sql), e.queryDurationMillis);
  if (kind === 'postgres') {
    const name = `nbhub_ingest_profile_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1, types: { getTypeParser: (oid, f) => (oid === 20 ? Number : pg.types.getTypeParser(oid, f)) } });
    pool.on('error', () => undefined); // the database is dropped under it at the end
    const db = new Kysely({ dialect: new PostgresDialect({ pool }), log });
    const store = createKyselyStore({ dialect: 'postgres', db, isUniqueViolation: (e) => e?.code === '23505' });
    await store.migrate();
    backend = (await pool.query('select pg_backend_pid() as p')).rows[0].p;
    last = ticks(backend);
    return {
      store,
      stats,
      note,
      reset: () => ((last = ticks(backend)), stats.clear()),
      close: async () => {
        await db.destroy();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const file = join(tmpDir('ingest-profile'), 'hub.sqlite');
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }), log });
  const store = createKyselyStore({ dialect: 'sqlite', db, isUniqueViolation: (e) => String(e?.code).startsWith('SQLITE_CONSTRAINT') });
  await store.migrate();
  return { store, stats, note, reset: () => stats.clear(), close: () => db.destroy() };
};

const all = bodies();
for (const kind of STORES) {
  const s = await open(kind);
  await s.store.agents.register({ id: 'a', url: 'http://x', secret: 'x', at: Date.now() });
  await s.store.agents.claim('a', 'me', Date.now(), Date.now() + 3600_000);
  let after = 0;
  const hub = { parse: 0, toWrite: 0, store: 0 };
  let storeWall = 0;
  let events = 0;
  for (const [i, body] of all.entries()) {
    if (i === 2) {
      // the first two batches warm up (JIT, caches)
      s.reset();
      Object.keys(hub).forEach((k) => (hub[k] = 0));
      storeWall = 0;
      events = 0;
    }
    let c = cpuMs();
    const parsed = JSON.parse(body);
    const batch = { events: parsed.events, head: parsed.head, headTime: null, stats: null };
    hub.parse += cpuMs() - c;
    c = cpuMs();
    const w = toWrite('a', 'me', after, batch, Date.now());
    hub.toWrite += cpuMs() - c;
    c = cpuMs();
    const t = performance.now();
    const before = [...s.stats.values()].reduce((n, x) => n + x.wall, 0);
    await s.store.events.store(w);
    const wall = performance.now() - t;
    storeWall += wall;
    // begin and commit are not logged by kysely: what the statements leave of the call, and the backend's CPU since
    s.note('begin + commit (rest)', wall - ([...s.stats.values()].reduce((n, x) => n + x.wall, 0) - before));
    hub.store += cpuMs() - c;
    after = w.through;
    events += w.events.length;
  }
  const us = (ms) => ((ms * 1000) / events).toFixed(2);
  console.log(`\n${kind}: ${events} events in ${BATCHES - 2} batches of ${BATCH} (after 2 warm-up), per event:`);
  console.log(`  hub CPU: JSON.parse ${us(hub.parse)} µs, toWrite ${us(hub.toWrite)} µs, store() ${us(hub.store)} µs (building rows, pg protocol)`);
  console.log(`  store() wall ${us(storeWall)} µs`);
  console.log(`  ${'statement'.padEnd(34)} ${'calls'.padStart(6)} ${'wall µs/ev'.padStart(11)} ${kind === 'postgres' ? 'backend CPU µs/ev'.padStart(18) : ''}`);
  for (const [name, x] of [...s.stats].sort((a, b) => b[1].wall - a[1].wall)) {
    console.log(`  ${name.padEnd(34)} ${String(x.n).padStart(6)} ${us(x.wall).padStart(11)} ${kind === 'postgres' ? us(x.cpu).padStart(18) : ''}`);
  }
  await s.close();
}
