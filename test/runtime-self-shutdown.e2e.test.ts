/**
 * jupyter_server's own idle shutdown (ServerApp.shutdown_no_activity_timeout) keeps working under nbhub:
 * the hub's looks at the runtime (sessions, kernels every monitoring interval, the culler's kernel list,
 * the console's kernel and process views) carry no_track_activity=1, so they are not taken for a user.
 * jupyter_server checks once a minute, so this waits 60-90 s.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultJupyterEnv } from '../src/config/load.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const JUPYTER = join(defaultJupyterEnv(process.env), 'bin', 'jupyter');
const CONFIG = `
monitoring:
  interval_seconds: 1
culling:
  enabled: false
profiles:
  selfstop:
    command: ["${JUPYTER}", "lab", "--no-browser", "--allow-root", "--ip={ip}", "--port={port}", "--ServerApp.port_retries=0", "--ServerApp.base_url={base_url}", "--ServerApp.root_dir={workspace}", "--ServerApp.shutdown_no_activity_timeout=10"]
`;

let hub: TestHub;
let token: string;
beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice');
});
afterAll(async () => hub?.dispose());

interface Model {
  nbhub: { state: string; message: string | null; requested_by: string | null; stop_reason: string | null };
}

it('a JupyterLab server idle for its shutdown_no_activity_timeout shuts itself down while nbhub monitors it, and shows as stopped by the runtime', async () => {
  const r = await hub.api('/hub/api/users/alice/servers/lab', { method: 'POST', token, body: { profile: 'selfstop' } });
  expect([201, 202], await r.clone().text()).toContain(r.status);
  const model = async () => ((await (await hub.api('/hub/api/users/alice?include_stopped_servers', { token })).json()) as { servers: Record<string, Model> }).servers['lab'];
  await expect.poll(async () => (await model())?.nbhub.state, { timeout: 60_000 }).toBe('running');
  // Look at it the way the console does, all the while: kernels and processes (through the hub, which asks the runtime).
  const started = Date.now();
  let looks = 0;
  while ((await model())?.nbhub.state === 'running' && Date.now() - started < 150_000) {
    const k = await hub.api('/hub/api/users/alice/servers/lab/kernels', { token });
    if (k.status === 200) looks++;
    await new Promise((res) => setTimeout(res, 1000));
  }
  expect(looks).toBeGreaterThan(20);
  const m = await model();
  expect(m?.nbhub.state).toBe('stopped');
  expect(m?.nbhub.message).toMatch(/shut itself down/);
  const history = (await (await hub.api('/hub/api/users/alice/servers/lab/history', { token })).json()) as { events: Array<{ action: string; by: string | null }> };
  expect(history.events[0]).toMatchObject({ action: 'stop', by: 'runtime' });
  // Its own log says why.
  const log = (await (await hub.api('/hub/api/users/alice/servers/lab/logs?tail=10000', { token })).json()) as { lines: string[] };
  expect(hub.output() + log.lines.join('\n')).toMatch(/shutting down/i);
}, 200_000);
