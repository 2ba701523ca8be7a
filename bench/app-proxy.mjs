// bench/app-proxy: requests/s and latency of a small app page on a port inside a runtime (issue 18), the same
// app reached three ways in one run: directly, through nbhub's /user/admin/proxy/{port}/ (API token), and
// through jupyter-server-proxy 4.6.0's /proxy/{port}/ on a jupyter server (token), the reference users
// run today. jupyter-server-proxy is installed by the bench into its own venv under ~/.cache/nbhub-bench/
// (BENCH_JSP_VENV) when missing: `pip install jupyter-server-proxy==4.6.0 jupyter_server`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compareWays } from './lib/compare.mjs';
import { ECHO_PROFILE, findRuntime, startHub } from './lib/hub.mjs';
import { httpRequest, loadHttp, pollUntil } from './lib/load.mjs';
import { freePort, killMarked, runBench, spawnTracked, tail, tmpDir } from './lib/proc.mjs';
import { banner, fmt, info, ms, table } from './lib/report.mjs';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const JSP_VERSION = '4.6.0';
const VENV = process.env['BENCH_JSP_VENV'] || join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'nbhub-bench', `jupyter-server-proxy-${JSP_VERSION}`);

/** The venv with jupyter_server and jupyter-server-proxy 4.6.0; made once, reused after. */
const ensureJsp = () => {
  const py = join(VENV, 'bin', 'python');
  const has = () => {
    try {
      return execFileSync(py, ['-c', 'import importlib.metadata as m; print(m.version("jupyter-server-proxy"), m.version("jupyter_server"))']).toString().trim();
    } catch {
      return '';
    }
  };
  let versions = existsSync(py) ? has() : '';
  if (!versions.startsWith(`${JSP_VERSION} `)) {
    console.log(`installing jupyter-server-proxy ${JSP_VERSION} and jupyter_server into ${VENV} (once)`);
    execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '-q', `jupyter-server-proxy==${JSP_VERSION}`, 'jupyter_server'], { stdio: 'inherit' });
    versions = has();
  }
  const [jsp, server] = versions.split(' ');
  return { jsp, server };
};

/** A jupyter server of that venv on loopback, with fresh Jupyter directories; its own token. */
const startJupyterServer = async () => {
  const dir = tmpDir('jsp');
  const port = await freePort();
  const token = 'bench-token';
  const log = join(dir, 'jupyter.log');
  const child = spawnTracked(
    join(VENV, 'bin', 'jupyter'),
    ['server', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, `--ServerApp.token=${token}`, '--allow-root', `--ServerApp.root_dir=${dir}`],
    { cwd: dir, log, env: { JUPYTER_CONFIG_DIR: join(dir, 'config'), JUPYTER_DATA_DIR: join(dir, 'data'), JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), IPYTHONDIR: join(dir, 'ipython') } },
  );
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: `token ${token}` };
  try {
    await pollUntil(`${url}/api/status`, { headers: auth, intervalMs: 100, timeoutMs: 60_000 });
  } catch (err) {
    throw new Error(`${err.message}\n--- ${log}\n${tail(log)}`);
  }
  return { url, pid: child.pid, auth, log, stop: () => killMarked((_e, pid) => pid === child.pid) };
};

runBench(async () => {
  banner(
    'bench/app-proxy',
    `GET of a 37-byte JSON page from an app on a port inside a runtime (bench/lib/backend.mjs, started by nbhub as the runtime of an ` +
      `'echo' profile, so its port is the runtime's own); ${CONNECTIONS} keep-alive connections, closed loop; ${ROUNDS} interleaved rounds ` +
      `of (1 s warm-up + ${SECONDS} s measured) per way; figures are medians over rounds. nbhub: /user/admin/proxy/{port}/ with an API ` +
      `token (access check, port ownership cached 5 s, header policy, Location rewriting); nbhub-runtime: the same app reached as ` +
      `the runtime itself (/user/admin/page), nbhub's runtime path, for what the app path adds. jupyter-server-proxy ${JSP_VERSION}: /proxy/{port}/ ` +
      `on a jupyter server (tornado), token auth.`,
  );
  const versions = ensureJsp();
  const hub = await startHub({ config: { profiles: ECHO_PROFILE } });
  await hub.api('POST', '/hub/api/users/admin/server', { profile: 'echo' }, { expect: [201, 202] });
  await pollUntil(`${hub.url}/user/admin/`, { headers: hub.auth, timeoutMs: 30_000 });
  const rt = findRuntime(hub, 'admin');
  const jsp = await startJupyterServer();

  const ways = [
    { name: 'direct', url: `${rt.target}/page`, headers: {}, pid: rt.pid, cpuLabel: 'app CPU' },
    { name: 'nbhub', url: `${hub.url}/user/admin/proxy/${rt.port}/page`, headers: hub.auth, pid: hub.pid, cpuLabel: 'proxy CPU' },
    // The same app as the runtime itself (/user/admin/…, runtime token added): what the app path costs over it.
    { name: 'nbhub-runtime', url: `${hub.url}/user/admin/page`, headers: hub.auth, pid: hub.pid, cpuLabel: 'proxy CPU' },
    { name: 'jsp', url: `${jsp.url}/proxy/${rt.port}/page`, headers: jsp.auth, pid: jsp.pid, cpuLabel: 'proxy CPU' },
  ];
  for (const w of ways) {
    const r = await httpRequest('GET', w.url, { headers: w.headers });
    if (r.status !== 200 || !r.text.includes('"ok":true')) throw new Error(`${w.name}: HTTP ${r.status} ${r.text.slice(0, 200)}\n${w.name === 'jsp' ? tail(jsp.log) : ''}`);
  }
  console.log(`app pid ${rt.pid} at ${rt.target}; nbhub pid ${hub.pid} at ${hub.url}; jupyter-server-proxy ${versions.jsp} (jupyter_server ${versions.server}) pid ${jsp.pid} at ${jsp.url}`);

  const a = await compareWays({
    ways,
    rounds: ROUNDS,
    run: async (w) => {
      const r = await loadHttp({ url: w.url, headers: w.headers, connections: CONNECTIONS, durationMs: SECONDS * 1000, warmupMs: 1000 });
      return { ...r, rate: r.rps };
    },
  });
  console.log('');
  table([
    ['way', 'req/s', 'p50', 'p99', 'errors', 'vs direct', 'rounds (req/s)', 'CPU µs/request', 'bg CPU'],
    ...ways.map((w) => {
      const x = a[w.name];
      return [w.name, fmt(x.rate), ms(x.p50), ms(x.p99), x.errors, `${(x.rate / a.direct.rate).toFixed(2)}x`, x.samples.join(' / '), `${x.cpuUsPer.toFixed(0)} (${w.cpuLabel.replace(' CPU', '')})`, `${x.bgCores.toFixed(2)} cores`];
    }),
  ]);
  console.log(`\n  nbhub / jupyter-server-proxy: ${(a.nbhub.rate / a.jsp.rate).toFixed(2)}x the req/s, p99 ${ms(a.nbhub.p99)} vs ${ms(a.jsp.p99)}`);
  info('app-proxy', 'nbhub req/s / jupyter-server-proxy req/s', `${(a.nbhub.rate / a.jsp.rate).toFixed(2)}x (${fmt(a.nbhub.rate)} vs ${fmt(a.jsp.rate)}; direct ${fmt(a.direct.rate)})`);
  info('app-proxy', 'nbhub p99 vs jupyter-server-proxy p99', `${ms(a.nbhub.p99)} vs ${ms(a.jsp.p99)}`);
  await jsp.stop();
  await hub.stop();
});
