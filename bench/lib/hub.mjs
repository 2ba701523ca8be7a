// Starting the systems under test: nbhub, configurable-http-proxy, JupyterHub 3, a bare backend.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { httpRequest, pollUntil } from './load.mjs';
import { benchEnv, cmdline, freePort, killMarked, markedProcesses, readEnviron, REPO, sleep, spawnTracked, tail, tmpDir } from './proc.mjs';

// BENCH_NBHUB_BIN: benchmark another build (e.g. a patched copy) instead of this repository's bin/nbhub.js.
export const NBHUB_BIN = process.env['BENCH_NBHUB_BIN'] || join(REPO, 'bin', 'nbhub.js');
export const CHP_BIN = join(REPO, 'node_modules', '.bin', 'configurable-http-proxy');
export const BACKEND = join(REPO, 'bench', 'lib', 'backend.mjs');
export const JUPYTERHUB_BIN = '/usr/bin/jupyterhub';

/** nbhub profile running bench/lib/backend.mjs (small HTTP answer + WebSocket echo). */
export const ECHO_PROFILE = {
  echo: { command: [process.execPath, BACKEND, '{port}', '{base_url}'], readiness_path: '', start_timeout_seconds: 30 },
};

const waitUntil = async (what, check, { timeoutMs = 30_000, intervalMs = 50, died } = {}) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (died?.()) throw new Error(`${what}: the process exited`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
};

const ensureBuilt = () => {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
    console.log('dist/ is missing: running npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  }
};

/**
 * Starts `nbhub start` on a free port with its own data dir, creates the admin `admin` and an API token.
 * Returns { url, port, pid, dataDir, token, log, api(method, path, body), stop() }.
 */
export const startHub = async ({ name = 'nbhub', config = {}, env = {}, nodeArgs = (process.env['BENCH_HUB_NODE_ARGS'] ?? '').split(' ').filter(Boolean), bin = NBHUB_BIN } = {}) => {
  if (bin === join(REPO, 'bin', 'nbhub.js')) ensureBuilt();
  const dataDir = tmpDir(name);
  const port = await freePort();
  const configFile = join(dataDir, 'nbhub.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2)); // JSON is YAML
  const log = join(dataDir, 'hub.log');
  const args = ['--config', configFile, '--data-dir', dataDir];
  // nodeArgs (BENCH_HUB_NODE_ARGS, e.g. --max-semi-space-size=4) go to the hub's node only, not its runtimes.
  if (nodeArgs.length) console.log(`(hub started with node ${nodeArgs.join(' ')})`);
  if (bin !== join(REPO, 'bin', 'nbhub.js')) console.log(`(hub: ${bin})`);
  // Without nodeArgs the hub runs as users run it: the executable bin/nbhub.js, with the V8 flags of its shebang.
  const [cmd, cmdArgs] = nodeArgs.length ? [process.execPath, [...nodeArgs, bin]] : [bin, []];
  const url = `http://127.0.0.1:${port}`;
  let child;
  let exited = false;
  const launch = async () => {
    child = spawnTracked(cmd, [...cmdArgs, 'start', ...args, '--port', String(port)], {
      cwd: dataDir,
      log,
      env: { NBHUB_LOG_LEVEL: 'warn', ...env },
    });
    exited = false;
    const launched = child;
    void launched.exited.then(() => (exited = launched === child ? true : exited));
    try {
      await waitUntil('nbhub', async () => (await httpRequest('GET', `${url}/hub/api/`)).status === 200, { died: () => exited });
    } catch (err) {
      launched.kill('SIGKILL'); // not left running behind a failed bench
      throw new Error(`${err.message}\n--- ${log}\n${tail(log)}`);
    }
  };
  await launch();
  const cli = (cliArgs, input) =>
    execFileSync(process.execPath, [bin, ...cliArgs, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'], env: benchEnv({ NBHUB_LOG_LEVEL: 'warn' }), cwd: dataDir })
      .toString()
      .trim();
  let token;
  try {
    cli(['user', 'add', 'admin', '--admin', '--password-stdin'], 'pw123456\n');
    token = cli(['token', 'create', 'admin']).split('\n').pop().trim();
  } catch (err) {
    child.kill('SIGKILL'); // the hub runs, but the bench cannot use it: not left behind
    throw err;
  }
  const auth = { authorization: `token ${token}` };
  const api = async (method, path, body, { expect } = {}) => {
    const r = await httpRequest(method, url + path, { headers: auth, body });
    if (expect && !expect.includes(r.status)) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };
  const mine = (e) => (e['JUPYTER_CONFIG_DIR'] ?? '').startsWith(dataDir) || (e['NBHUB_BENCH_HUB'] ?? '') === dataDir;
  /**
   * Starts a server (default when server is '') and waits until it answers through the proxy.
   * Returns { status (of the POST), postMs, readyMs } measured from the POST.
   */
  const startServer = async (user, server = '', body = {}, { timeoutMs = 60_000, intervalMs = 10 } = {}) => {
    const path = server === '' ? `/hub/api/users/${user}/server` : `/hub/api/users/${user}/servers/${server}`;
    const since = performance.now();
    const r = await api('POST', path, body);
    const postMs = performance.now() - since;
    if (r.status !== 201 && r.status !== 202) throw new Error(`POST ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    const readyMs = await pollUntil(`${url}/user/${user}/${server === '' ? '' : server + '/'}api`, { headers: auth, intervalMs, timeoutMs, since });
    return { status: r.status, postMs, readyMs };
  };
  /** Stops a server; returns { status, ms } (204 when stopped within the hub's wait, 202 otherwise). */
  const stopServer = async (user, server = '') => {
    const path = server === '' ? `/hub/api/users/${user}/server` : `/hub/api/users/${user}/servers/${server}`;
    const since = performance.now();
    const r = await api('DELETE', path);
    if (r.status !== 204 && r.status !== 202) throw new Error(`DELETE ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return { status: r.status, ms: performance.now() - since };
  };
  return {
    url,
    port,
    get pid() {
      return child.pid;
    },
    /** Kills the hub process (not its runtimes) with `signal`, and waits for it to exit. */
    kill: async (signal) => {
      try {
        process.kill(child.pid, signal);
      } catch {
        // gone
      }
      await child.exited;
    },
    /** Starts the hub again on the same port, data dir and config (after kill). */
    restart: launch,
    startServer,
    stopServer,
    dataDir,
    token,
    auth,
    log,
    api,
    /** Runs `nbhub <args>` against this hub's data dir (stdin: input); returns stdout. */
    cli,
    /** SIGTERM to the hub, then kills its runtimes (found by their environment pointing into the data dir). */
    stop: async () => {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // gone
      }
      await Promise.race([child.exited, sleep(5000)]);
      await killMarked((e, pid) => pid === child.pid || mine(e));
    },
  };
};

/**
 * The runtime process nbhub started for user/server (found through /proc: its environment carries
 * NBHUB_RUNTIME, NBHUB_PORT, NBHUB_TOKEN / JUPYTER_TOKEN). Returns { pid, port, token, target }.
 */
export const findRuntime = (hub, user, server = '') => {
  const key = `${user}/${server}`;
  const procs = markedProcesses((e) => e['NBHUB_RUNTIME'] === key && (e['JUPYTER_CONFIG_DIR'] ?? '').startsWith(hub.dataDir));
  const pids = new Set(procs.map((p) => p.pid));
  const top = procs.find((p) => !pids.has(p.ppid));
  if (!top) throw new Error(`no runtime process found for ${key}`);
  const env = readEnviron(top.pid) ?? top.env;
  const port = Number(env['NBHUB_PORT'] ?? /--port=(\d+)/.exec(cmdline(top.pid).join(' '))?.[1]);
  const token = env['JUPYTER_TOKEN'] ?? env['NBHUB_TOKEN'];
  return { pid: top.pid, port, token, target: `http://127.0.0.1:${port}`, cmd: cmdline(top.pid).join(' ') };
};

/** configurable-http-proxy from node_modules (as JupyterHub runs it: default options). */
export const startChp = async ({ name = 'chp' } = {}) => {
  const dir = tmpDir(name);
  const port = await freePort();
  const apiPort = await freePort();
  const authToken = randomBytes(16).toString('hex');
  const log = join(dir, 'chp.log');
  const child = spawnTracked(
    CHP_BIN,
    ['--ip', '127.0.0.1', '--port', String(port), '--api-ip', '127.0.0.1', '--api-port', String(apiPort), '--log-level', 'warn'],
    { cwd: dir, log, env: { CONFIGPROXY_AUTH_TOKEN: authToken } },
  );
  let exited = false;
  void child.exited.then(() => (exited = true));
  const apiUrl = `http://127.0.0.1:${apiPort}/api/routes`;
  const headers = { authorization: `token ${authToken}` };
  try {
    await waitUntil('configurable-http-proxy', async () => (await httpRequest('GET', apiUrl, { headers })).status === 200, { died: () => exited });
  } catch (err) {
    throw new Error(`${err.message}\n--- ${log}\n${tail(log)}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    addRoute: async (path, target) => {
      const r = await httpRequest('POST', apiUrl + path, { headers, body: { target } });
      if (r.status !== 201) throw new Error(`CHP route ${path}: HTTP ${r.status} ${r.text}`);
    },
    stop: async () => killMarked((_e, pid) => pid === child.pid),
  };
};

/** bench/lib/min-proxy.mjs in front of `targetPort`: the floor of a node:http proxy, for reference. */
export const startMinProxy = async ({ name = 'min-proxy', targetPort, probePath = '/' }) => {
  const dir = tmpDir(name);
  const port = await freePort();
  const child = spawnTracked(process.execPath, [join(REPO, 'bench', 'lib', 'min-proxy.mjs'), String(port), String(targetPort)], { cwd: dir, log: join(dir, 'min-proxy.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('min-proxy', async () => (await httpRequest('GET', url + probePath)).status === 200);
  return { url, port, pid: child.pid, stop: async () => killMarked((_e, pid) => pid === child.pid) };
};

/** The bench backend started directly (no hub). */
export const startBackend = async ({ name = 'backend', base = '/' } = {}) => {
  const dir = tmpDir(name);
  const port = await freePort();
  const child = spawnTracked(process.execPath, [BACKEND, String(port), base], { cwd: dir, log: join(dir, 'backend.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('backend', async () => (await httpRequest('GET', url + base)).status === 200);
  return { url, port, pid: child.pid, stop: async () => killMarked((_e, pid) => pid === child.pid) };
};

/**
 * JupyterHub 3 (Debian) on free ports with its own directory and SQLite file, the dummy authenticator,
 * and a service `bench` with the admin role whose API token is returned. CHP comes from node_modules.
 */
export const startJupyterHub = async ({ name = 'jupyterhub' } = {}) => {
  if (!existsSync(JUPYTERHUB_BIN)) throw new Error(`${JUPYTERHUB_BIN} not found (apt-get install jupyterhub)`);
  const dir = tmpDir(name);
  const [port, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  const py = (s) => JSON.stringify(s);
  const config = `
c = get_config()  # noqa
c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = ${port}
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = ${hubPort}
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:${proxyApiPort}'
c.ConfigurableHTTPProxy.command = [${py(CHP_BIN)}]
c.ConfigurableHTTPProxy.pid_file = ${py(join(dir, 'proxy.pid'))}
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.db_url = ${py('sqlite:///' + join(dir, 'jupyterhub.sqlite'))}
c.JupyterHub.cookie_secret_file = ${py(join(dir, 'jupyterhub_cookie_secret'))}
c.JupyterHub.pid_file = ${py(join(dir, 'jupyterhub.pid'))}
c.JupyterHub.log_level = 'WARN'
c.JupyterHub.services = [{'name': 'bench', 'api_token': ${py(token)}, 'admin': True}]
`;
  const configFile = join(dir, 'jupyterhub_config.py');
  writeFileSync(configFile, config);
  const log = join(dir, 'jupyterhub.log');
  const child = spawnTracked(JUPYTERHUB_BIN, ['-f', configFile], {
    cwd: dir,
    log,
    env: { PATH: `${join(REPO, 'node_modules', '.bin')}:${process.env['PATH']}`, CONFIGPROXY_AUTH_TOKEN: randomBytes(16).toString('hex') },
  });
  let exited = false;
  void child.exited.then(() => (exited = true));
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  const publicUrl = `http://127.0.0.1:${port}`;
  const auth = { authorization: `token ${token}` };
  const t0 = performance.now();
  try {
    await waitUntil('jupyterhub', async () => (await httpRequest('GET', `${publicUrl}/hub/api/users`, { headers: auth })).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 200,
      died: () => exited,
    });
  } catch (err) {
    throw new Error(`${err.message}\n--- ${log}\n${tail(log, 40)}`);
  }
  const api = async (method, path, body, { expect } = {}) => {
    const r = await httpRequest(method, hubUrl + path, { headers: auth, body });
    if (expect && !expect.includes(r.status)) throw new Error(`JupyterHub ${method} ${path}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  };
  return {
    publicUrl,
    hubUrl,
    pid: child.pid,
    token,
    auth,
    api,
    startMs: performance.now() - t0,
    /** The CHP JupyterHub started (its own session; found by the mark and its command line). */
    proxyPid: () => markedProcesses((_e, pid) => cmdline(pid).some((a) => a.includes('configurable-http-proxy')) && cmdline(pid).includes(String(port)))[0]?.pid,
    stop: async () => {
      const proxy = markedProcesses((_e, pid) => cmdline(pid).includes(String(port)) && cmdline(pid).some((a) => a.includes('configurable-http-proxy')));
      await killMarked((_e, pid) => pid === child.pid || proxy.some((p) => p.pid === pid));
    },
  };
};

/**
 * The proxy benches' setup: the echo backend started by nbhub as admin's default server, and the same
 * backend routed through CHP and through min-proxy. Returns { hub, rt, chp, min }.
 */
export const startEchoBehindProxies = async () => {
  const hub = await startHub({ config: { profiles: ECHO_PROFILE } });
  await hub.api('POST', '/hub/api/users/admin/server', { profile: 'echo' }, { expect: [201] });
  const rt = findRuntime(hub, 'admin');
  const chp = await startChp();
  await chp.addRoute('/user/admin', rt.target);
  const min = await startMinProxy({ targetPort: rt.port, probePath: '/user/admin/' });
  return { hub, rt, chp, min };
};
