// The two generations of Jupyter runtime the runtime benches (spawn, kernel-rtt, memory) measure in the
// same run, each as nbhub runs it (its default profile, as detected) and bare (the runtime started by the
// bench, as a user would, with fresh Jupyter directories):
// - lab4: JupyterLab 4 / jupyter_server 2 in the Python environment scripts/install-deps.sh fills
//   (spawner.jupyter_env, default ~/.local/share/nbhub/jupyter). nbhub's default.
// - nb6: Debian's classic Notebook 6 / jupyter-server 1 (/usr/bin/jupyter-notebook), what nbhub falls back
//   to when that environment is missing and no jupyter-lab is on PATH: its hub is started with
//   NBHUB_SPAWNER_JUPYTER_ENV=/nonexistent and PATH=/usr/local/bin:/usr/bin:/bin.
// BENCH_GENERATIONS (lab4,nb6) picks some; one that is not installed is skipped with a note.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pollUntil } from './load.mjs';
import { freePort, killMarked, sleep, spawnTracked, tmpDir } from './proc.mjs';

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

/** Where the hub looks for JupyterLab: spawner.jupyter_env from the environment, else defaultJupyterEnv (src/config/load.ts). */
export const jupyterEnvDir = (env = process.env) =>
  env['NBHUB_SPAWNER_JUPYTER_ENV'] || join(env['XDG_DATA_HOME'] || join(env['HOME'] || homedir(), '.local', 'share'), 'nbhub', 'jupyter');

const isExecutable = (p) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Fresh Jupyter directories under `dir`, as nbhub gives its runtimes (and nothing read from or written to ~). */
const freshDirs = (dir) => ({
  JUPYTER_CONFIG_DIR: join(dir, 'config'),
  JUPYTER_DATA_DIR: join(dir, 'data'),
  JUPYTER_RUNTIME_DIR: join(dir, 'runtime'),
  IPYTHONDIR: join(dir, 'ipython'),
});

const lab4 = () => {
  const envDir = jupyterEnvDir();
  const bin = join(envDir, 'bin');
  return {
    id: 'lab4',
    title: 'JupyterLab 4',
    available: isExecutable(join(bin, 'jupyter-lab')),
    missing: `${join(bin, 'jupyter-lab')} not found (scripts/install-deps.sh installs JupyterLab 4 there)`,
    // The hub as users run it: nothing set, it detects the environment itself.
    hubEnv: {},
    expect: /^JupyterLab 4\b/,
    bareLabel: `${join(bin, 'jupyter')} lab`,
    // The environment's bin first on PATH, as nbhub puts it for its runtimes (their kernels use it too).
    bare: (port) => ({
      command: join(bin, 'jupyter'),
      args: ['lab', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--ServerApp.token=x', '--allow-root'],
      env: { PATH: `${bin}:${process.env['PATH'] ?? SYSTEM_PATH}` },
    }),
  };
};

const nb6 = () => ({
  id: 'nb6',
  title: 'Notebook 6',
  available: isExecutable('/usr/bin/jupyter-notebook'),
  missing: '/usr/bin/jupyter-notebook not found (apt-get install -y jupyter-notebook python3-ipykernel)',
  hubEnv: { NBHUB_SPAWNER_JUPYTER_ENV: '/nonexistent', PATH: SYSTEM_PATH },
  expect: /^Jupyter Notebook 6\b/,
  bareLabel: '/usr/bin/jupyter notebook',
  bare: (port) => ({
    command: '/usr/bin/jupyter',
    args: ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`, '--NotebookApp.token=x', '--allow-root'],
    env: { PATH: SYSTEM_PATH },
  }),
});

/** The generations chosen (BENCH_GENERATIONS) and installed, JupyterLab 4 first; notes for the others. */
export const generations = () => {
  const all = [lab4(), nb6()];
  const wanted = (process.env['BENCH_GENERATIONS'] ?? 'lab4,nb6').split(',').map((s) => s.trim()).filter(Boolean);
  for (const w of wanted) if (!all.some((g) => g.id === w)) throw new Error(`BENCH_GENERATIONS: unknown generation ${w} (known: ${all.map((g) => g.id).join(', ')})`);
  const chosen = all.filter((g) => wanted.includes(g.id));
  for (const g of chosen.filter((x) => !x.available)) console.log(`note: ${g.title} skipped: ${g.missing}`);
  const ready = chosen.filter((g) => g.available);
  if (ready.length === 0) throw new Error('no Jupyter generation to measure (BENCH_GENERATIONS, or install one)');
  return ready;
};

/**
 * Checks that the hub's default profile runs this generation (GET /hub/api/profiles: the name nbhub gives
 * what it detected); returns that name (e.g. "JupyterLab 4.6.6").
 */
export const checkHubGeneration = async (hub, gen) => {
  const r = await hub.api('GET', '/hub/api/profiles', undefined, { expect: [200] });
  const name = r.json().profiles?.find((p) => p.name === 'default')?.display_name ?? '';
  if (!gen.expect.test(name)) throw new Error(`${gen.title}: the hub's default profile runs "${name}", not ${gen.title} (hub environment ${JSON.stringify(gen.hubEnv)})`);
  return name;
};

let bareSeq = 0;
/**
 * Starts the bare runtime of `gen` on a free port with fresh Jupyter directories (no nbhub config, so no
 * TCP_NODELAY patch), and polls GET /api every `intervalMs` until 200. Returns { url, port, token,
 * readyMs (from the spawn), pid, stop() → ms from SIGTERM to exit }.
 */
export const startBare = async (gen, { intervalMs = 10, timeoutMs = 60_000 } = {}) => {
  const dir = tmpDir(`bare-${gen.id}-${++bareSeq}`);
  const port = await freePort();
  const { command, args, env } = gen.bare(port);
  const since = performance.now();
  const child = spawnTracked(command, args, { cwd: dir, log: join(dir, 'out.log'), env: { ...env, ...freshDirs(dir) } });
  const url = `http://127.0.0.1:${port}`;
  const readyMs = await pollUntil(`${url}/api`, { intervalMs, since, timeoutMs });
  const stop = async () => {
    const t0 = performance.now();
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    const exited = await Promise.race([child.exited.then(() => true), sleep(5000).then(() => false)]);
    const stopMs = performance.now() - t0;
    if (!exited) await killMarked((_e, pid) => pid === child.pid, 0);
    return stopMs;
  };
  return { url, port, token: 'x', readyMs, pid: child.pid, dir, stop };
};
