// bench/api: GET /hub/api/users with an admin token, 50 connections, 1,000 users in the store, nbhub
// against JupyterHub 3 (Debian) in the same run. Target: nbhub >= 10x JupyterHub's req/s.
import { performance } from 'node:perf_hooks';
import { compareWays } from './lib/compare.mjs';
import { startHub, startJupyterHub } from './lib/hub.mjs';
import { httpRequest, loadHttp } from './lib/load.mjs';
import { memoryOf, runBench } from './lib/proc.mjs';
import { banner, fmt, ms, table, target } from './lib/report.mjs';

const USERS = Number(process.env['BENCH_API_USERS'] ?? 1000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

const names = Array.from({ length: USERS }, (_, i) => `user${String(i).padStart(4, '0')}`);

/** Creates the users in batches of up to 1000 (nbhub's and JupyterHub's POST /hub/api/users). */
const createUsers = async (api) => {
  for (let i = 0; i < names.length; i += 1000) await api('POST', '/hub/api/users', { usernames: names.slice(i, i + 1000) }, { expect: [201] });
};

runBench(async () => {
  banner(
    'bench/api',
    `GET /hub/api/users (admin token) with ${USERS} users in the store, ${CONNECTIONS} keep-alive connections, closed loop; ` +
      `${ROUNDS} interleaved rounds of (1 s warm-up + ${SECONDS} s measured) per way; medians over rounds. ` +
      `Both are asked for ?limit=200 (JupyterHub's page maximum) so both return 200 user models; ` +
      `the bare path (each hub's default page) is measured once more for information.`,
  );
  const hub = await startHub();
  let t0 = performance.now();
  await createUsers(hub.api);
  const nbCreate = performance.now() - t0;
  const jh = await startJupyterHub();
  t0 = performance.now();
  await createUsers(jh.api);
  const jhCreate = performance.now() - t0;
  console.log(`created ${USERS} users: nbhub ${ms(nbCreate)}, JupyterHub ${ms(jhCreate)} (JupyterHub started in ${ms(jh.startMs)})`);

  const path = '/hub/api/users?limit=200';
  const ways = [
    { name: 'nbhub', url: `${hub.url}${path}`, headers: hub.auth },
    { name: 'JupyterHub (hub port)', url: `${jh.hubUrl}${path}`, headers: jh.auth },
    { name: 'JupyterHub (via its CHP)', url: `${jh.publicUrl}${path}`, headers: jh.auth },
  ];
  for (const w of ways) {
    const r = await httpRequest('GET', w.url, { headers: w.headers });
    if (r.status !== 200) throw new Error(`${w.name}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    const body = r.json();
    const count = Array.isArray(body) ? body.length : body.items?.length;
    w.note = `${count} users, ${fmt(Buffer.byteLength(r.text))} bytes`;
    console.log(`${w.name}: ${w.url} → ${w.note}`);
  }

  console.log('');
  const a = await compareWays({
    ways,
    rounds: ROUNDS,
    run: async (w) => {
      const r = await loadHttp({ url: w.url, headers: w.headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
      return { ...r, rate: r.rps };
    },
  });
  // the bare path once each, for information
  const bare = {};
  for (const w of ways.slice(0, 2)) {
    const url = w.url.replace('?limit=200', '');
    const r = await loadHttp({ url, headers: w.headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
    const body = (await httpRequest('GET', url, { headers: w.headers })).json();
    bare[w.name] = { rps: r.rps, p50: r.latency.p50, p99: r.latency.p99, users: Array.isArray(body) ? body.length : body.items?.length };
  }
  const nbMem = memoryOf(hub.pid);
  const jhMem = memoryOf(jh.pid);
  const proxyPid = jh.proxyPid();
  const chpMem = proxyPid ? memoryOf(proxyPid) : { rssMB: NaN };

  console.log('');
  table([
    ['way', 'req/s', 'p50', 'p99', 'errors', 'rounds (req/s)', 'answer'],
    ...ways.map((w) => [w.name, fmt(a[w.name].rate, 1), ms(a[w.name].p50), ms(a[w.name].p99), a[w.name].errors, a[w.name].samples.join(' / '), w.note]),
  ]);
  console.log(
    `  bare /hub/api/users: nbhub ${fmt(bare.nbhub.rps)} req/s (${bare.nbhub.users} users per answer, p99 ${ms(bare.nbhub.p99)}), ` +
      `JupyterHub ${fmt(bare['JupyterHub (hub port)'].rps, 1)} req/s (${bare['JupyterHub (hub port)'].users} users per answer, p99 ${ms(bare['JupyterHub (hub port)'].p99)})`,
  );
  console.log(`  RSS after the load: nbhub ${nbMem.rssMB.toFixed(0)} MB; JupyterHub ${jhMem.rssMB.toFixed(0)} MB + its CHP ${chpMem.rssMB.toFixed(0)} MB`);
  const best = Math.max(a['JupyterHub (hub port)'].rate, a['JupyterHub (via its CHP)'].rate);
  const ratio = a.nbhub.rate / best;
  target('api', 'nbhub GET /hub/api/users req/s / JupyterHub 3', `${fmt(ratio, 1)}x (${fmt(a.nbhub.rate)} vs ${fmt(best, 1)} req/s, JupyterHub's better way)`, '>= 10x', ratio >= 10);
  await jh.stop();
  await hub.stop();
});
