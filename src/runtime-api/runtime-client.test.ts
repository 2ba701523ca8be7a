import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultJupyterEnv } from '../config/load.js';
import { HttpRuntimeClient } from './client.js';
import { runtimeClientContract, type RuntimeUnderTest } from './runtime-client.contract.js';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A bare Jupyter server (no hub in front) on loopback, in a folder of its own, with its config and runtime files there too. */
const startJupyter = (command: string[]) => async (): Promise<RuntimeUnderTest> => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-runtime-client-'));
  const port = await freePort();
  const token = 'contract-token';
  const baseUrl = '/user/contract/';
  const args = [
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--ServerApp.token=${token}`,
    `--ServerApp.base_url=${baseUrl}`,
    `--ServerApp.root_dir=${dir}`,
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ];
  const env = { ...process.env, JUPYTER_CONFIG_DIR: join(dir, '.config'), JUPYTER_RUNTIME_DIR: join(dir, '.runtime'), JUPYTER_DATA_DIR: join(dir, '.data') };
  const child = spawn(command[0] as string, [...command.slice(1), ...args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = { target: `http://127.0.0.1:${port}`, baseUrl, token };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited (${child.exitCode}):\n${log}`);
    const ok = await fetch(`${endpoint.target}${baseUrl}api/status`, { headers: { authorization: `token ${token}` } }).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${command.join(' ')} did not serve within 90 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: async () => {
      // SIGTERM: the server shuts its kernels down before it exits.
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const lab = join(defaultJupyterEnv(process.env), 'bin', 'jupyter-server');
const client = () => new HttpRuntimeClient();

runtimeClientContract('jupyter_server 2.x (the JupyterLab environment)', {
  start: startJupyter([lab]),
  client,
  missing: existsSync(lab) ? undefined : 'the JupyterLab environment is not installed (scripts/install-deps.sh)',
});
runtimeClientContract("jupyter_server 1.23 (Debian's, beside Notebook 6)", {
  start: startJupyter(['/usr/bin/python3', '-m', 'jupyter_server']),
  client,
  missing: existsSync('/usr/lib/python3/dist-packages/jupyter_server') ? undefined : "Debian's python3-jupyter-server is not installed (scripts/install-deps.sh --test)",
});
