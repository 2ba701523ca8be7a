// Fills a usage store (SQLite file or PostgreSQL database) with a synthetic but realistic month of
// consumption for N runtimes × K kernels, for bench/monitoring. Run as a child process:
//   node bench/lib/usage-fill.mjs <job.json>
// job: { dialect: 'sqlite'|'postgres', file | url, now (ms, hour-aligned), days, minuteHours, rawHours,
//        runtimes, kernels, seed, out (result JSON path) }
//
// Activity: runtime i (users u1..uN, default server '') is active 8 h per weekday (UTC), starting between
// 07:00 and 10:59; its kernels get new ids every day. Per active minute, each kernel's CPU counter grows by
// 0.01–0.2 cores (a 1-core burst 3% of the time) and its memory takes a random walk (60 MB–3 GB); the runtime
// series (kernel '') is its server's own 0.005 cores + 110 MB plus its kernels.
//
// What goes where (one row per series per active minute, the shape store.usage.write() stores):
// - the last hour before `now`: through store.usage.write(), one call per minute (the hub's write path,
//   timed: raw rows, 1-minute and 1-hour upserts);
// - before that, bulk inserts of exactly the rows write() would have produced (write() itself runs at
//   ~20–40k rows/s here, i.e. 20–35 min per store for a month of minute rows): usage_1h for the whole
//   range, usage_1m for the last `minuteHours`, usage_raw for the last `rawHours` plus one extra hour just
//   older than 2 days (rows the 2-day retention deletes, to time prune()).
// Rows are inserted in time order (every series at t, then t+1 min), as the hub inserts them, so index
// page fill is the hub's. Storage is measured after the bulk part, before the write() hour.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { REPO } from './proc.mjs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const TABLES = ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d'];

// Deterministic PRNG (mulberry32), so both stores get the same data.
let seed = job.seed >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

// ---- sinks: bulk inserts of series {id, user, server, kernel}, and of rows {series, t, cpuFrom, cpu, memory} per table ----

const sqliteSink = async (file) => {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const R = 100;
  const cols = '(series, t, cpu_from, cpu, memory)';
  const many = Object.fromEntries(TABLES.map((t) => [t, db.prepare(`insert into ${t} ${cols} values ${Array(R).fill('(?,?,?,?,?)').join(',')}`)]));
  const one = Object.fromEntries(TABLES.map((t) => [t, db.prepare(`insert into ${t} ${cols} values (?,?,?,?,?)`)]));
  const series = db.prepare('insert into usage_series (id, user_name, server, kernel) values (?, ?, ?, ?)');
  const buf = Object.fromEntries(TABLES.map((t) => [t, []]));
  let inTx = 0;
  db.exec('begin');
  const flush = (table, all) => {
    const b = buf[table];
    while (b.length >= R * 5) many[table].run(b.splice(0, R * 5));
    if (all) while (b.length) one[table].run(b.splice(0, 5));
  };
  return {
    series(id, user, server, kernel) {
      series.run(id, user, server, kernel);
    },
    push(table, r) {
      buf[table].push(r.series, r.t, r.cpuFrom, r.cpu, r.memory);
      if (buf[table].length >= R * 5) flush(table, false);
      if (++inTx >= 200_000) {
        db.exec('commit');
        db.exec('begin');
        inTx = 0;
      }
    },
    async finish() {
      for (const t of TABLES) flush(t, true);
      db.exec('commit');
      db.pragma('wal_checkpoint(TRUNCATE)');
    },
    async storage() {
      const pageSize = db.pragma('page_size', { simple: true });
      const indexes = db.prepare(`select name, tbl_name from sqlite_master where type = 'index'`).all();
      const tableOf = new Map(indexes.map((i) => [i.name, i.tbl_name]));
      const out = {};
      for (const t of TABLES) out[t] = { rows: db.prepare(`select count(*) as n from ${t}`).get().n, bytes: 0, heap: 0, index: 0 };
      for (const r of db.prepare(`select name, sum(pgsize) as bytes from dbstat group by name`).all()) {
        const t = TABLES.includes(r.name) ? r.name : tableOf.get(r.name);
        if (!TABLES.includes(t)) continue;
        out[t].bytes += r.bytes;
        if (t === r.name) out[t].heap += r.bytes;
        else out[t].index += r.bytes;
      }
      return {
        tables: out,
        fileBytes: statSync(file).size,
        pageSize,
        freelistPages: db.pragma('freelist_count', { simple: true }),
        note: 'dbstat: pages of each table (WITHOUT ROWID: the table is its (series, t) key) and its t index',
      };
    },
    async close() {
      db.close();
    },
  };
};

const pgSink = async (url) => {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const B = 20_000;
  const buf = Object.fromEntries(TABLES.map((t) => [t, [[], [], [], [], []]]));
  let series = [[], [], [], []];
  const pending = [];
  const flushSeries = () => {
    if (series[0].length === 0) return;
    pending.push(c.query('insert into usage_series (id, user_name, server, kernel) select * from unnest($1::int8[], $2::text[], $3::text[], $4::text[])', series));
    series = [[], [], [], []];
  };
  const flush = (table) => {
    const cols = buf[table];
    if (cols[0].length === 0) return;
    buf[table] = [[], [], [], [], []];
    flushSeries();
    pending.push(c.query(`insert into ${table} (series, t, cpu_from, cpu, memory) select * from unnest($1::int8[], $2::int8[], $3::float8[], $4::float8[], $5::int8[])`, cols));
  };
  return {
    series(id, user, server, kernel) {
      series[0].push(id);
      series[1].push(user);
      series[2].push(server);
      series[3].push(kernel);
    },
    push(table, r) {
      const cols = buf[table];
      cols[0].push(r.series);
      cols[1].push(r.t);
      cols[2].push(r.cpuFrom);
      cols[3].push(r.cpu);
      cols[4].push(r.memory);
      if (cols[0].length >= B) flush(table);
    },
    // The client queues queries; wait for them now and then so memory stays bounded.
    async drain() {
      if (pending.length > 4) await Promise.all(pending.splice(0));
    },
    async finish() {
      flushSeries();
      for (const t of TABLES) flush(t);
      await Promise.all(pending.splice(0));
      // Ids were given here: the identity goes on after them, as if the store had given them.
      await c.query(`select setval(pg_get_serial_sequence('usage_series', 'id'), (select max(id) from usage_series))`);
      // What autovacuum would have done by now after this many inserts: visibility map and statistics.
      await c.query(`vacuum analyze usage_series, ${TABLES.join(', ')}`);
    },
    async storage() {
      const out = {};
      for (const t of TABLES) {
        const r = (
          await c.query(`select (select count(*) from ${t}) as rows, pg_total_relation_size($1) as bytes, pg_relation_size($1) as heap, pg_indexes_size($1) as index`, [t])
        ).rows[0];
        out[t] = { rows: Number(r.rows), bytes: Number(r.bytes), heap: Number(r.heap), index: Number(r.index) };
      }
      const db = (await c.query(`select pg_database_size(current_database()) as b`)).rows[0].b;
      return { tables: out, databaseBytes: Number(db), note: 'pg_total_relation_size (heap + indexes + TOAST) after VACUUM ANALYZE' };
    },
    async settle() {
      await c.query(`vacuum analyze usage_series, ${TABLES.join(', ')}`);
      await c.query('checkpoint');
    },
    async stats() {
      await c.query('select pg_stat_force_next_flush()').catch(() => undefined);
      return (
        await c.query(
          `select relname, n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables where relname like 'usage%' order by relname`,
        )
      ).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'relname' ? v : Number(v)])));
    },
    async close() {
      await c.end();
    },
  };
};

// ---- the store, the sink, the generator ----

const store =
  job.dialect === 'sqlite'
    ? (await dist('store/sqlite/sqlite-store.js')).createSqliteStore(job.file)
    : (await dist('store/postgres/postgres-store.js')).createPostgresStore(job.url);
await store.migrate();
const sink = job.dialect === 'sqlite' ? await sqliteSink(job.file) : await pgSink(job.url);

const { now, days, minuteHours, rawHours, runtimes: N, kernels: K } = job;
if (now % HOUR !== 0) throw new Error('now must be hour-aligned');
const start = now - days * DAY;
const writeFrom = now - HOUR;
const m1From = now - minuteHours * HOUR;
const rawFrom = now - rawHours * HOUR;
const pruneFrom = now - 2 * DAY - HOUR;
const pruneTo = now - 2 * DAY;

const users = Array.from({ length: N }, (_, i) => `u${i + 1}`);
const startMin = Int32Array.from({ length: N }, (_, i) => 7 * 60 + ((i * 37) % 240));
const S = 1 + K; // series per runtime: the runtime ('') and its kernels
const rtCpu = new Float64Array(N);
const kCpu = new Float64Array(N * K);
const kMem = new Float64Array(N * K);
const kBase = new Float64Array(N * K);
const kernelIds = Array.from({ length: N }, () => Array(K).fill(''));
/** Each series' counter at its previous sample (a kernel's new id each day starts from 0). */
const prevCpu = new Float64Array(N * S);
// Open rollup buckets, per series: the counter before the first sample, the last counter, peak memory.
const rollup = () => ({ from: new Float64Array(N * S), cpu: new Float64Array(N * S), mem: new Float64Array(N * S), has: new Uint8Array(N * S) });
const hour = rollup();
const dayB = rollup();
const inserted = { usage_raw: 0, usage_1m: 0, usage_1h: 0, usage_1d: 0 };
let currentDay = -1;
/** Series ids, given here in order of first appearance (as the store gives them). */
const seriesIds = new Map();
const seriesOf = (user, server, kernel) => {
  const key = `${user}\u0000${server}\u0000${kernel}`;
  let id = seriesIds.get(key);
  if (id === undefined) {
    id = seriesIds.size + 1;
    seriesIds.set(key, id);
    sink.series(id, user, server, kernel);
  }
  return id;
};

const flushBucket = (table, B, bucket) => {
  for (let r = 0; r < N; r++) {
    for (let s = 0; s < S; s++) {
      const x = r * S + s;
      if (!B.has[x]) continue;
      sink.push(table, { series: seriesOf(users[r], '', s === 0 ? '' : kernelIds[r][s - 1]), t: bucket, cpuFrom: B.from[x], cpu: B.cpu[x], memory: B.mem[x] });
      inserted[table]++;
      B.has[x] = 0;
      B.cpu[x] = 0;
      B.mem[x] = 0;
    }
  }
};

const result = { rowsBulk: null, bulkSeconds: 0, write: { calls: 0, rows: 0, seconds: 0 }, storage: null, pgStats: null, pruneRows: 0 };
const t0 = performance.now();
let bulkDone = false;
const round2 = (x) => Math.round(x * 100) / 100;

for (let t = start; t < now; t += MIN) {
  if (t % HOUR === 0 && t > start && t <= writeFrom) flushBucket('usage_1h', hour, t - HOUR);
  if (t % DAY === 0 && t > start && t <= writeFrom) flushBucket('usage_1d', dayB, t - DAY);
  if (!bulkDone && t >= writeFrom) {
    // The day so far; write() folds the last hour into the same row.
    if (writeFrom % DAY !== 0) flushBucket('usage_1d', dayB, writeFrom - (writeFrom % DAY));
    await sink.finish();
    result.rowsBulk = { ...inserted };
    result.bulkSeconds = (performance.now() - t0) / 1000;
    result.storage = await sink.storage();
    bulkDone = true;
  }
  const day = Math.floor(t / DAY);
  const dow = new Date(t).getUTCDay();
  if (dow === 0 || dow === 6) continue;
  if (day !== currentDay) {
    currentDay = day;
    for (let r = 0; r < N; r++) {
      for (let k = 0; k < K; k++) {
        kernelIds[r][k] = uuid();
        kCpu[r * K + k] = 0;
        prevCpu[r * S + k + 1] = 0;
        kBase[r * K + k] = 0.01 + rand() * 0.19;
        kMem[r * K + k] = (150 + rand() * 650) * 2 ** 20;
      }
    }
  }
  const minuteOfDay = (t - day * DAY) / MIN;
  const viaWrite = t >= writeFrom;
  const toRaw = (t >= rawFrom && !viaWrite) || (t >= pruneFrom && t < pruneTo);
  const toM1 = t >= m1From && !viaWrite;
  const minuteRows = [];
  for (let r = 0; r < N; r++) {
    if (minuteOfDay < startMin[r] || minuteOfDay >= startMin[r] + 480) continue;
    let rtMem = 110 * 2 ** 20;
    let inc = 0.005 * 60;
    for (let k = 0; k < K; k++) {
      const x = r * K + k;
      const cores = kBase[x] * (0.5 + rand()) + (rand() < 0.03 ? 0.9 : 0);
      kCpu[x] += cores * 60;
      inc += cores * 60;
      kMem[x] = Math.min(3 * 2 ** 30, Math.max(60 * 2 ** 20, kMem[x] + (rand() - 0.5) * 20 * 2 ** 20));
      rtMem += kMem[x];
    }
    rtCpu[r] += inc;
    for (let s = 0; s < S; s++) {
      const x = r * S + s;
      const row = {
        user: users[r],
        server: '',
        kernel: s === 0 ? '' : kernelIds[r][s - 1],
        t,
        cpuFrom: prevCpu[x],
        cpu: round2(s === 0 ? rtCpu[r] : kCpu[r * K + s - 1]),
        // PSS/RSS are whole kB
        memory: Math.round((s === 0 ? rtMem : kMem[r * K + s - 1]) / 1024) * 1024,
      };
      prevCpu[x] = row.cpu;
      for (const B of [hour, dayB]) {
        if (!B.has[x]) B.from[x] = row.cpuFrom;
        B.has[x] = 1;
        B.cpu[x] = Math.max(B.cpu[x], row.cpu);
        B.mem[x] = Math.max(B.mem[x], row.memory);
      }
      if (viaWrite) minuteRows.push(row);
      else {
        row.series = seriesOf(row.user, row.server, row.kernel);
        if (toRaw) {
          sink.push('usage_raw', row);
          inserted.usage_raw++;
          if (t < pruneTo) result.pruneRows++;
        }
        if (toM1) {
          sink.push('usage_1m', row);
          inserted.usage_1m++;
        }
      }
    }
  }
  if (sink.drain) await sink.drain();
  if (minuteRows.length > 0) {
    const w0 = performance.now();
    await store.usage.write(minuteRows);
    result.write.seconds += (performance.now() - w0) / 1000;
    result.write.calls++;
    result.write.rows += minuteRows.length;
  }
}
if (!bulkDone) throw new Error('the range does not reach the write() hour');
if (sink.stats) result.pgStats = await sink.stats();
// Queried as a database in use is, not one just written: what autovacuum and the checkpointer would have done
// by now after the write() hour (else they run during the queries, and the PostgreSQL figures vary 26-44 ms).
if (sink.settle) await sink.settle();
result.totalSeconds = (performance.now() - t0) / 1000;
await sink.close();
await store.close();
writeFileSync(job.out, JSON.stringify(result));
