import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAndWait, startTestHub, type TestHub } from './helpers/hub.js';

/**
 * Issue 13, item 7: a start never fails because another process took the runtime's port between its choice
 * and the runtime's bind. A grabber process (helpers/port-grabber.py) watches /proc for this hub's new
 * runtimes and takes each one's port before the runtime binds it, once per runtime, so every first attempt
 * loses its port: half to a listener that answers any HTTP request with 200 (as another server would; the hub
 * must never probe or proxy to it), half to a socket only bound (the runtime exits: "The port N is already in
 * use", "Address already in use"). All 20 servers, started at once, must still become ready, each reachable
 * through the proxy, without ever showing `failed`.
 *
 * JupyterLab (the default profile) for 4 of them; 20 at once (twice each) would not start within any sensible
 * timeout on 2 shared cores, so the other 16 run helpers/light-runtime.py, which takes a second to start up
 * before it binds (real runtimes take longer), so the grabber, scanning every 2 ms, is always first.
 */
const LABS = 4;
const LIGHTS = 16;
const LIGHT = fileURLToPath(new URL('./helpers/light-runtime.py', import.meta.url));
const GRABBER = fileURLToPath(new URL('./helpers/port-grabber.py', import.meta.url));

const CONFIG = `
profiles:
  default:
    start_timeout_seconds: 180
  light:
    command: ["python3", "${LIGHT}", "{port}", "{base_url}", "{workspace}"]
    readiness_path: ""
    start_timeout_seconds: 180
`;

interface ServerModel {
  ready: boolean;
  nbhub: { state: string; message: string | null };
}
type GrabberEvent = { ready?: true; stole?: string; missed?: string; port?: number; mode?: 'listen' | 'bind'; request?: number; line?: string };

const names = [...Array.from({ length: LABS }, (_, i) => `lab-${i}`), ...Array.from({ length: LIGHTS }, (_, i) => `light-${i}`)];

describe('20 runtimes started at once while another process takes their ports', () => {
  let hub: TestHub;
  let token: string;
  let grabber: ChildProcess;
  const events: GrabberEvent[] = [];

  beforeAll(async () => {
    // Info: the hub logs each start it makes again.
    hub = await startTestHub({ config: CONFIG, env: { NBHUB_LOG_LEVEL: 'info' } });
    token = hub.addUser('racer');
    grabber = spawn('python3', [GRABBER, hub.dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      grabber.stdout?.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const e = JSON.parse(line) as GrabberEvent;
          events.push(e);
          if (e.ready) resolve();
        }
      });
      grabber.once('exit', (code) => reject(new Error(`the grabber exited with ${String(code)}`)));
    });
  });
  afterAll(async () => {
    if (grabber) await killAndWait(grabber, 'SIGKILL');
    await hub?.dispose();
  });

  it('starts them all: every first attempt lost its port, none showed failed, each answers through the proxy', async () => {
    const models = async () =>
      ((await (await hub.api('/hub/api/users/racer?include_stopped_servers', { token })).json()) as { servers: Record<string, ServerModel> }).servers;
    const answers = await Promise.all(
      names.map((name) => hub.api(`/hub/api/users/racer/servers/${name}`, { method: 'POST', token, body: name.startsWith('lab') ? {} : { profile: 'light' } })),
    );
    // 201 (ready within the API's wait) or 202 (still starting), never a failed spawn (500).
    expect(answers.map((r) => r.status).filter((s) => s !== 201 && s !== 202)).toEqual([]);
    // Every state each server shows until all are ready (or one fails: no use waiting for the rest).
    const shown = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
    const deadline = Date.now() + 400_000;
    for (;;) {
      const now = Object.entries(await models());
      for (const [name, m] of now) shown.get(name)?.add(m.nbhub.state);
      if (now.filter(([, m]) => m.ready).length === names.length || now.some(([, m]) => m.nbhub.state === 'failed') || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const [name, states] of shown) expect([name, [...states].filter((s) => s !== 'pending' && s !== 'running')]).toEqual([name, []]);
    for (const m of Object.values(await models())) expect(m.nbhub.state).toBe('running');

    // The grabber was first at every runtime: 20 ports taken, both ways, none missed.
    const stolen = events.filter((e) => e.stole);
    expect(stolen.map((e) => e.stole).sort()).toEqual(names.map((n) => `racer/${n}`).sort());
    expect(events.filter((e) => e.missed)).toEqual([]);
    expect(stolen.filter((e) => e.mode === 'listen')).toHaveLength(10);
    expect(stolen.filter((e) => e.mode === 'bind')).toHaveLength(10);

    // So each was started again, once, on another port.
    const relaunched = hub
      .output()
      .split('\n')
      .filter((l) => l.includes('runtime lost a race before it was ready; starting it again'))
      .map((l) => JSON.parse(l) as { server: string; attempt: number; lost: string });
    expect(relaunched.map((r) => r.server).sort()).toEqual([...names].sort());
    expect(relaunched.every((r) => r.attempt === 2)).toBe(true);
    // Each one's first port, as the grabber took it, named in the log: the listened ones found as another
    // process listening there, the bound-only ones by the runtime's exit (JupyterLab's and Python's messages).
    for (const e of stolen) {
      const r = relaunched.find((x) => `racer/${x.server}` === e.stole);
      expect(r?.lost).toContain(String(e.port));
      if (e.mode === 'listen') expect(r?.lost).toMatch(/^another process listens at its address/);
      else expect(r?.lost).toMatch(/^port \d+ was taken by another process/);
    }

    // The hub never sent the foreign listeners anything (no readiness probe, so no runtime token; no proxying).
    expect(events.filter((e) => e.request !== undefined)).toEqual([]);

    // Each answers through the proxy as itself, on a port other than the one taken from it.
    for (const name of names) {
      if (name.startsWith('lab')) {
        const r = await hub.api(`/user/racer/${name}/api/status`, { token });
        expect([name, r.status]).toEqual([name, 200]);
        expect(await r.json()).toHaveProperty('kernels');
      } else {
        const r = await hub.api(`/user/racer/${name}/`, { token });
        expect([name, r.status, await r.text()]).toEqual([name, 200, `light runtime racer/${name}`]);
      }
    }

    // The history shows each start once, and no failure.
    for (const name of names) {
      const h = (await (await hub.api(`/hub/api/users/racer/servers/${name}/history`, { token })).json()) as { events: Array<{ action: string; reason: string | null }> };
      expect([name, h.events.map((e) => e.action)]).toEqual([name, ['start']]);
    }
  }, 480_000);
});
