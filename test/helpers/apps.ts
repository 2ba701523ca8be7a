import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

/**
 * The Python environment of the test apps that are not Jupyter (Streamlit, butterfly), found the way
 * scripts/install-deps.sh --test installs it: NBHUB_TEST_APPS_ENV, else $XDG_DATA_HOME/nbhub/apps, else
 * ~/.local/share/nbhub/apps. Undefined when it is not there (the tests that need it say so and skip).
 */
export const appsEnv = (): string | undefined => {
  const dir =
    process.env['NBHUB_TEST_APPS_ENV'] ||
    join(process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'nbhub', 'apps');
  return existsSync(join(dir, 'bin', 'python')) ? dir : undefined;
};

/** Why the app tests skip, when they do. */
export const APPS_MISSING = 'the test apps (Streamlit, butterfly) are not installed: run scripts/install-deps.sh --test';

/** A program of the apps environment (`streamlit`, `butterfly.server.py`). */
export const appsBin = (env: string, name: string): string => join(env, 'bin', name);

/** Opens a WebSocket through the hub at `port`; resolves with it open, or with the status the hub answered. */
export const openWs = (port: number, path: string, o: { token?: string; cookie?: string; origin?: string; protocols?: string[] }): Promise<WebSocket | number> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (o.token) headers['authorization'] = `token ${o.token}`;
    if (o.cookie) headers['cookie'] = o.cookie;
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, o.protocols ?? [], { headers, ...(o.origin ? { origin: o.origin } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `echo hi` in a butterfly terminal served at `prefix` (through the hub at `port`) over its two
 * WebSockets, and resolves once the shell printed `hi`; rejects with what it printed after 30 s.
 */
export const butterflyEcho = async (port: number, prefix: string, auth: { token?: string; cookie?: string; origin?: string }): Promise<void> => {
  const session = `t${Date.now()}`;
  const [ctl, shell] = await Promise.all([openWs(port, `${prefix}ctl/session/${session}`, auth), openWs(port, `${prefix}ws/session/${session}`, auth)]);
  if (!(ctl instanceof WebSocket) || !(shell instanceof WebSocket)) throw new Error(`not opened: ${ctl instanceof WebSocket ? 'open' : ctl} ${shell instanceof WebSocket ? 'open' : shell}`);
  let out = '';
  const said = new Promise<void>((resolve) =>
    shell.on('message', (d: Buffer) => {
      out += d.toString();
      // `h""i` prints `hi`: the echoed command line alone does not contain it.
      if (/\r\nhi\r\n/.test(out)) resolve();
    }),
  );
  ctl.send(JSON.stringify({ cmd: 'open' }));
  ctl.send(JSON.stringify({ cmd: 'size', cols: 80, rows: 24 }));
  await sleep(300);
  shell.send('echo h""i\r');
  try {
    await Promise.race([said, sleep(30_000).then(() => Promise.reject(new Error(`no answer from the terminal: ${JSON.stringify(out)}`)))]);
  } finally {
    ctl.close();
    shell.close();
  }
};
