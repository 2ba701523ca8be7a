/**
 * The runtime never learns a secret a page could print (issue 16): JupyterLab runs with nbhub's identity provider,
 * given only the SHA-256 of the hub's credential; the hub sends the credential in X-Nbhub-Auth. No page or API answer
 * through the proxy shows the hub's secret, and whatever the runtime's environment holds does not open its port.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDefaultServer, startTestHub, type TestHub } from './helpers/hub.js';

const CONFIG = 'monitoring:\n  interval_seconds: 1800\nculling:\n  enabled: false\n  idle_timeout_seconds: 0\n';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let hub: TestHub;
let token: string;
/** What the hub holds for the runtime (the server record), and where the runtime listens. */
let secret: string;
let target: string;
/** The runtime process's environment, as /proc shows it to any process of its user. */
let environ: Map<string, string>;
let cmdline: string;

const readProc = (pid: string, file: string): string => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
};

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice');
  await startDefaultServer(hub, 'alice', token);
  const db = new Database(join(hub.dataDir, 'nbhub.sqlite'), { readonly: true, fileMustExist: true });
  const row = db.prepare("SELECT runtime_token, target FROM servers WHERE user_name = 'alice' AND name = ''").get() as { runtime_token: string; target: string };
  db.close();
  secret = row.runtime_token;
  target = row.target;
  expect(secret.length).toBeGreaterThan(16);
  const port = new URL(target).port;
  // The runtime's root: the process marked as alice's runtime that listens on its port (kernels inherit the marker).
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const root = pids
    .map((pid) => ({ pid, env: readProc(pid, 'environ').split('\0') }))
    .filter((p) => p.env.includes('NBHUB_RUNTIME=alice/') && p.env.includes(`NBHUB_PORT=${port}`) && p.env.some((e) => e.startsWith(`NBHUB_BASE_URL=`)))
    .sort((a, b) => Number(a.pid) - Number(b.pid))[0];
  if (!root) throw new Error('runtime process not found');
  environ = new Map(root.env.filter(Boolean).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  cmdline = readProc(root.pid, 'cmdline').replace(/\0/g, ' ');
}, 150_000);

afterAll(async () => {
  await hub?.dispose();
});

describe("the runtime's credential", () => {
  it('is held by the runtime only as a hash: not in its environment or command line', () => {
    expect(environ.get('NBHUB_AUTH_SHA256')).toBe(sha256(secret));
    expect(environ.has('JUPYTER_TOKEN')).toBe(false);
    expect(environ.has('NBHUB_TOKEN')).toBe(false);
    expect([...environ.values()].some((v) => v.includes(secret))).toBe(false);
    expect(cmdline).not.toContain(secret);
    expect(cmdline).toContain('nbhub_identity.HubIdentityProvider');
  });

  it('appears in no page or API answer through the proxy, and the pages carry no token', async () => {
    const put = await hub.api('/user/alice/api/contents/probe.ipynb', { method: 'PUT', token, body: { type: 'notebook' } });
    expect([200, 201]).toContain(put.status);
    const paths = [
      '/user/alice/lab',
      '/user/alice/lab/tree/probe.ipynb',
      '/user/alice/tree',
      '/user/alice/notebooks/probe.ipynb',
      '/user/alice/api/status',
      '/user/alice/api/contents',
      '/user/alice/api/kernels',
      '/user/alice/api/sessions',
      '/user/alice/api/me',
      '/user/alice/lab/api/settings',
    ];
    for (const p of paths) {
      const r = await fetch(hub.url + p, { headers: { authorization: `token ${token}` } });
      const body = await r.text();
      expect(body, p).not.toContain(secret);
      const headers: string[] = [];
      r.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
      expect(headers.join('\n'), p).not.toContain(secret);
    }
    const lab = await (await fetch(`${hub.url}/user/alice/lab`, { headers: { authorization: `token ${token}` } })).text();
    const config = /<script id="jupyter-config-data" type="application\/json">([\s\S]*?)<\/script>/.exec(lab)?.[1];
    expect(config, 'JupyterLab page config').toBeDefined();
    expect((JSON.parse(config as string) as { token?: string }).token ?? '').toBe('');
    // The page's scripts: what JupyterLab loads with it.
    for (const src of [...lab.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1] as string)) {
      const js = await (await fetch(new URL(src, `${hub.url}/user/alice/lab`), { headers: { authorization: `token ${token}` } })).text();
      expect(js, src).not.toContain(secret);
    }
  });

  it("refuses a request straight to the runtime's port with any value of its environment; through the hub it works", async () => {
    const status = async (headers: Record<string, string>, query = '') => (await fetch(`${target}/user/alice/api/status${query}`, { headers })).status;
    expect(await status({})).toBe(403);
    for (const [name, value] of environ) {
      if (!value || name === 'PATH') continue;
      const tried = [await status({ authorization: `token ${value}` }), await status({ 'x-nbhub-auth': value }), await status({}, `?token=${encodeURIComponent(value)}`)];
      expect(tried, name).toEqual([403, 403, 403]);
    }
    // The hub's own secret in the header the identity provider reads: the check is a real one.
    expect(await status({ 'x-nbhub-auth': secret })).toBe(200);
    expect((await hub.api('/user/alice/api/status', { token })).status).toBe(200);
  });
});
