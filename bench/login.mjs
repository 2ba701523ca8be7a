// bench/login: POST /hub/login throughput, 8 concurrent clients (each its own user, each login a fresh session),
// 10 s measured per round (3 interleaved rounds for the two local builds): local accounts (argon2id) on this build and on the build before issue 16
// (BENCH_BASE_BIN, default /work/wt-base/bin/nbhub.js), and LDAP (search-then-bind over StartTLS, groups read)
// against a real slapd. Prints logins/s and p50/p99; no target, the before build is the reference.
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startHub } from './lib/hub.mjs';
import { summarize } from './lib/load.mjs';
import { runBench } from './lib/proc.mjs';
import { banner, fmt, ms, table } from './lib/report.mjs';
import { BASE_DN, groupDn, passwordOf, SERVICE_DN, SERVICE_PASSWORD, slapdMissing, startTestSlapd } from './lib/slapd.mjs';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const BASE_BIN = process.env['BENCH_BASE_BIN'] ?? '/work/wt-base/bin/nbhub.js';

const post = (agent, port, body) =>
  new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: '127.0.0.1', port, path: '/hub/login', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(data);
  });

/** Closed loop: each client logs its user in again as soon as the last answer came; 1 s warm-up not recorded. */
const measure = async (port, users) => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const phase = async (seconds, record) => {
      const lat = [];
      const statuses = {};
      const end = performance.now() + seconds * 1000;
      const start = performance.now();
      await Promise.all(
        users.map(async (u) => {
          while (performance.now() < end) {
            const t0 = performance.now();
            const status = await post(agent, port, u);
            if (record) lat.push(performance.now() - t0);
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
        }),
      );
      return { count: lat.length, seconds: (performance.now() - start) / 1000, statuses, latency: summarize(lat) };
    };
    await phase(1, false);
    const r = await phase(SECONDS, true);
    if (Object.keys(r.statuses).some((s) => s !== '200')) throw new Error(`logins not all 200: ${JSON.stringify(r.statuses)}`);
    return { rate: r.count / r.seconds, ...r };
  } finally {
    agent.destroy();
  }
};

const localUsers = (hub) =>
  Array.from({ length: CONCURRENCY }, (_, i) => {
    const name = `bench${i}`;
    hub.cli(['user', 'add', name, '--password-stdin'], `${name}-password\n`);
    return { username: name, password: `${name}-password` };
  });

runBench(async () => {
  banner(
    'bench/login',
    `POST /hub/login (JSON), ${CONCURRENCY} concurrent clients each logging its own user in, closed loop, 1 s warm-up + ${SECONDS} s measured per round; the two local builds ${ROUNDS} interleaved rounds each (median shown), LDAP one round.`,
  );
  const rows = [];
  const report = (name, rounds) => {
    const r = rounds.slice().sort((a, b) => a.rate - b.rate)[Math.floor(rounds.length / 2)];
    rows.push([name, fmt(r.rate, 1), ms(r.latency.p50), ms(r.latency.p99), rounds.map((x) => fmt(x.rate, 1)).join(' / ')]);
    return r;
  };
  const run = async (name, opts, users) => {
    const hub = await startHub({ name, ...opts });
    try {
      return report(name, [await measure(hub.port, users(hub))]);
    } finally {
      await hub.stop();
    }
  };
  // The two local builds side by side, rounds interleaved, so load from elsewhere on the machine hits both alike.
  const ways = [{ name: 'local (this build)', opts: {} }, ...(existsSync(BASE_BIN) ? [{ name: 'local (before issue 16)', opts: { bin: BASE_BIN } }] : [])];
  if (ways.length === 1) console.log(`(no before build at ${BASE_BIN}: set BENCH_BASE_BIN)`);
  for (const w of ways) {
    w.hub = await startHub({ name: w.name, ...w.opts });
    w.users = localUsers(w.hub);
    w.rounds = [];
  }
  try {
    for (let round = 0; round < ROUNDS; round++) for (const w of ways) w.rounds.push(await measure(w.hub.port, w.users));
  } finally {
    for (const w of ways) await w.hub.stop();
  }
  const [now, before] = ways.map((w) => report(w.name, w.rounds));
  if (before) console.log(`this build / before: ${fmt(now.rate / before.rate, 2)}x logins/s (medians of ${ROUNDS} rounds)`);
  const missing = slapdMissing();
  if (missing) console.log(`(LDAP skipped: ${missing})`);
  else {
    const slapd = await startTestSlapd();
    try {
      const ldap = {
        authenticator: 'ldap',
        ldap: {
          url: slapd.url,
          start_tls: true,
          tls_ca_file: slapd.caFile,
          lookup_dn: true,
          user_search_base: `ou=people,${BASE_DN}`,
          search_bind_dn: SERVICE_DN,
          search_bind_password: SERVICE_PASSWORD,
          group_search_base: `ou=groups,${BASE_DN}`,
          allowed_groups: [groupDn('hub-users'), groupDn('devs')],
          admin_groups: [groupDn('hub-admins')],
        },
      };
      // alice and bob, alternately: every client logs in a directory user that allowed_groups admits.
      const users = () => Array.from({ length: CONCURRENCY }, (_, i) => ({ username: i % 2 ? 'bob' : 'alice', password: passwordOf(i % 2 ? 'bob' : 'alice') }));
      await run('LDAP (slapd, StartTLS, search+bind, groups)', { config: { auth: ldap } }, users);
    } finally {
      await slapd.stop();
    }
  }
  console.log('');
  table([['way', 'logins/s (median round)', 'p50', 'p99', 'rounds (logins/s)'], ...rows]);
});
