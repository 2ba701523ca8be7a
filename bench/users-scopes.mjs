// bench/users-scopes: GET /hub/api/users?limit=200 on a hub with 1,000 users (issue 16), req/s with scope checks: as
// an admin, and as a token whose scopes are filtered to a group of 200 (list:users!group=bench, read:users!group=bench:
// the list is narrowed in the store query), beside the same request as an admin on a build from before scopes
// (BENCH_SCOPES_BEFORE, default /work/wt-base when it exists) in the same run. Bounded: BENCH_SCOPES_SECONDS (10) s
// per series, 16 keep-alive connections. Target: the admin series keeps at least 80% of the before build's rate.
import { existsSync } from 'node:fs';
import { startHub } from './lib/hub.mjs';
import { loadHttp, httpRequest } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, fmt, info, ms, table, target } from './lib/report.mjs';

const USERS = 1000;
const GROUP = 200;
const LIMIT = 200;
const CONNECTIONS = 16;
const SECONDS = Number(process.env['BENCH_SCOPES_SECONDS'] ?? 10);
const PATH = `/hub/api/users?limit=${LIMIT}`;

const userName = (i) => `u${String(i).padStart(4, '0')}`;

/** A hub with USERS users; `bin`: another build of nbhub. */
const makeHub = async (bin) => {
  const hub = await startHub({ name: bin ? 'nbhub-before' : 'nbhub', ...(bin ? { bin } : {}) });
  await hub.api('POST', '/hub/api/users', JSON.stringify({ usernames: Array.from({ length: USERS }, (_, i) => userName(i)) }), { expect: [201] });
  return hub;
};

/** req/s of PATH with `headers`, after checking one answer holds `expectUsers` users. */
const measure = async (hub, headers, expectUsers) => {
  const one = await httpRequest('GET', hub.url + PATH, { headers });
  if (one.status !== 200) throw new Error(`GET ${PATH}: HTTP ${one.status}`);
  const got = one.json().length;
  if (got !== expectUsers) throw new Error(`GET ${PATH}: ${got} users, expected ${expectUsers}`);
  return loadHttp({ url: hub.url + PATH, headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
};

runBench(async () => {
  const base = process.env['BENCH_SCOPES_BEFORE'] ?? (existsSync('/work/wt-base/bin/nbhub.js') ? '/work/wt-base' : undefined);
  banner('users-scopes', `GET ${PATH} with ${USERS} users, ${CONNECTIONS} connections, ${SECONDS} s a series: admin and a group-filtered token, and admin on the build before scopes.`);
  const rows = [['series', 'users/answer', 'req/s', 'p50', 'p99', 'errors']];
  const row = (what, users, r) => rows.push([what, String(users), fmt(r.rps), ms(r.latency.p50), ms(r.latency.p99), String(r.errors)]);
  let now;
  let before;
  const hub = await makeHub();
  try {
    const me = (await hub.api('GET', '/hub/api/user')).json();
    await hub.api('POST', '/hub/api/groups/bench', JSON.stringify({ users: Array.from({ length: GROUP }, (_, i) => userName(i * (USERS / GROUP))) }), { expect: [201] });
    const scoped = (await hub.api('POST', `/hub/api/users/${me.name}/tokens`, JSON.stringify({ scopes: ['list:users!group=bench', 'read:users!group=bench'] }), { expect: [201] })).json();
    now = await measure(hub, hub.auth, LIMIT);
    row('this build: admin', LIMIT, now);
    const filtered = await measure(hub, { authorization: `token ${scoped.token}` }, GROUP);
    row('this build: token list:users!group=bench', GROUP, filtered);
    info('users-scopes', 'admin req/s', fmt(now.rps));
    info('users-scopes', 'group-filtered token req/s', fmt(filtered.rps));
  } finally {
    await hub.stop();
  }
  if (base) {
    const old = await makeHub(`${base}/bin/nbhub.js`);
    try {
      before = await measure(old, old.auth, LIMIT);
      row('before scopes: admin', LIMIT, before);
      info('users-scopes', 'before: admin req/s', fmt(before.rps));
    } finally {
      await old.stop();
    }
  } else console.log('no build from before scopes (BENCH_SCOPES_BEFORE): the reference series is skipped');
  table(rows);
  if (before) target('users-scopes', 'admin req/s vs before scopes', `${fmt(now.rps)} vs ${fmt(before.rps)}`, '>= 80%', now.rps >= 0.8 * before.rps);
});
