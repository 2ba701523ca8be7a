/**
 * Live figures are live (issue 17, item 1): with the default monitoring interval (10 s, so the last stored
 * sweep is up to 20 s behind), a real JupyterLab kernel burning one core for 45 s reads about one core and
 * `busy` in the kernels API, GET /hub/api/live and the runtime page in Chromium within seconds of the burn's
 * start, and below 0.2 and `idle` within seconds of its end; a figure not there yet is null ("—"), never 0.
 * Both agent modes; the file takes about 160 s.
 */
import type { Session } from '@jupyterlab/services';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MODES, startHubInMode, type HubInMode } from './helpers/agent-modes.js';
import type { TestHub } from './helpers/hub.js';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const BURN_S = 45;
const SHOTS = '/tmp/nbhub-shots';

interface Kernel {
  id: string;
  execution_state: string | null;
  cpu: number | null;
  memory: number | null;
}
interface Live {
  t: string;
  servers: Array<{ user: string; server: string; cpu: number | null; memory: number | null; kernels: number | null }>;
  users: Array<{ user: string; cpu: number | null; memory: number | null }>;
}
/** One poll: when it was asked and answered (Unix ms), what the API and the page said. */
interface Reading {
  asked: number;
  answered: number;
  kernel: Kernel | undefined;
  live: Live['servers'][number] | undefined;
  page: { runtime: string | null; kernelCpu: string | null; kernelState: string | null };
}

/** Burns one core for BURN_S s (raising its priority where it may), tracing the CPU it got. */
const BURN_CELL = `import json, os, time
try:
    # Nice values count within a session's autogroup: the group is raised too, else a busy machine's
    # other sessions still share the core out.
    with open("/proc/self/autogroup", "w") as f:
        f.write("-15")
    os.setpriority(os.PRIO_PROCESS, 0, -15)
    reniced = True
except OSError:
    reniced = False
t = time.time()
trace = []
mark = t
while True:
    now = time.time()
    if now - t >= ${BURN_S}:
        break
    if now >= mark:
        trace.append((now, time.process_time()))
        mark += 0.2
trace.append((time.time(), time.process_time()))
print(json.dumps({"reniced": reniced, "trace": trace}))`;

/**
 * Cores the loop got, from its trace: `around([from, to])` is the least and most it got over any window
 * a reading in [from, to] (Unix ms) may cover: ending in that span, 1 to 3 s long (a rate is since a kept
 * reading 1 to 5 s old; readings a second apart keep it near 1 s).
 */
const truth = (trace: Array<[number, number]>) => {
  const cpuAt = (t: number): number => {
    const first = trace[0] as [number, number];
    if (t <= first[0]) return first[1];
    for (let i = 1; i < trace.length; i++) {
      const [t1, c1] = trace[i] as [number, number];
      const [t0, c0] = trace[i - 1] as [number, number];
      if (t <= t1) return c0 + ((c1 - c0) * (t - t0)) / (t1 - t0);
    }
    return (trace[trace.length - 1] as [number, number])[1];
  };
  return {
    around: ([from, to]: [number, number]) => {
      let low = Infinity;
      let high = -Infinity;
      for (let e = from / 1000; e <= to / 1000 + 1e-9; e += 0.25) {
        for (const len of [1, 1.5, 2, 2.5, 3]) {
          const rate = (cpuAt(e) - cpuAt(e - len)) / len;
          low = Math.min(low, rate);
          high = Math.max(high, rate);
        }
      }
      return { low, high };
    },
  };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** "0.998 cores" → 0.998; "—" → null. */
const coresOf = (text: string | null): number | null => (text === null || text.trim() === '—' ? null : Number.parseFloat(text));

let inMode: HubInMode;
let hub: TestHub;
let alice: string;
let admin: string;
let bob: string;
let m: ReturnType<typeof managers>;
let session: Session.ISessionConnection;
let kernelId: string;
let browser: Browser;
let page: Page;

const kernels = async (path = '/hub/api/users/alice/server/kernels', token = alice): Promise<Kernel[]> => {
  const r = await hub.api(path, { token });
  expect(r.status, await r.clone().text()).toBe(200);
  return ((await r.json()) as { kernels: Kernel[] }).kernels;
};
const live = async (query: string, token: string): Promise<Live> => {
  const r = await hub.api(`/hub/api/live${query}`, { token });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as Live;
};

// Through the in-process agent, and through a separate agent's API (the hub's only door to the processes then).
describe.each(AGENT_MODES)('live figures ($mode)', (mode) => {
  beforeAll(async () => {
    // The default monitoring interval (10 s): nothing here may lean on a sweep.
    inMode = await startHubInMode(mode, '  interval_seconds: 10\n');
    hub = inMode.hub;
    alice = hub.addUser('alice', { password: 'alice-secret' });
    admin = hub.addUser('root', { admin: true });
    bob = hub.addUser('bob');
    expect((await hub.api('/hub/api/users/alice/server', { method: 'POST', token: alice })).status).toBe(201);
    m = managers(jupyterSettings(hub.url, '/user/alice/', alice));
    session = await m.sessions.startNew({ path: 'burn.ipynb', type: 'notebook', name: 'burn.ipynb', kernel: { name: 'python3' } });
    kernelId = session.kernel?.id as string;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 1400 } })).newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    m?.dispose();
    await inMode?.dispose();
  });

  it('shows a kernel just started with no figure or a real one, never a made-up 0', async () => {
    const fresh = await m.sessions.startNew({ path: 'fresh.ipynb', type: 'notebook', name: 'fresh.ipynb', kernel: { name: 'python3' } });
    try {
      const k = (await kernels()).find((x) => x.id === fresh.kernel?.id) as Kernel;
      expect(k).toBeDefined();
      // Starting a Python kernel takes CPU: a figure there is above 0; none yet is null.
      expect(k.cpu === null || (k.cpu > 0 && k.cpu < 2), `cpu ${k.cpu}`).toBe(true);
      expect(k.memory === null || k.memory > 10_000_000, `memory ${k.memory}`).toBe(true);
    } finally {
      await fresh.shutdown();
    }
  }, 60_000);

  it('answers GET /hub/api/live to each as allowed, and refuses bad input', async () => {
    const mine = await live('', alice);
    expect(mine.servers).toEqual([expect.objectContaining({ user: 'alice', server: '', kernels: 1 })]);
    expect(Date.parse(mine.t)).toBeGreaterThan(Date.now() - 60_000);
    // bob runs nothing and may not see alice's server; the admin sees it, and an unknown name is just absent.
    expect((await live('', bob)).servers).toEqual([]);
    expect((await live('?user=alice', bob)).servers).toEqual([]);
    const all = await live('?user=alice&user=nobody', admin);
    expect(all.servers.map((s) => s.user)).toEqual(['alice']);
    expect(all.users).toEqual([{ user: 'alice', cpu: all.servers[0]?.cpu, memory: all.servers[0]?.memory }]);
    expect((await hub.api('/hub/api/live?user=not%20a%20name', { token: admin })).status).toBe(400);
    expect((await hub.api('/hub/api/live?colour=red', { token: admin })).status).toBe(400);
    expect((await hub.api('/hub/api/live')).status).toBe(403);
    // A server that is not running: as before.
    expect([404, 503]).toContain((await hub.api('/hub/api/users/alice/servers/nope/kernels', { token: alice })).status);
  }, 60_000);

  it('reads a 45 s one-core burn as about one core and busy within 5 s, and under 0.2 and idle within 5 s of its end', async () => {
    // The runtime page, with its first live answer held back: until a figure comes, it shows "—".
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let first = true;
    await page.route('**/hub/api/live*', async (route: Route) => {
      if (first) {
        first = false;
        await held;
      }
      await route.continue();
    });
    await page.goto(`${hub.url}/hub/login?next=${encodeURIComponent('/hub/servers/alice/')}`);
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill('alice-secret');
    await page.getByTestId('login-submit').click();
    await page.waitForURL(/\/hub\/servers\/alice\/$/);
    await expect.poll(() => page.getByTestId('runtime-cpu-now').textContent(), { timeout: 15_000 }).toBe('—');
    expect(await page.getByTestId('runtime-memory-now').textContent()).toBe('—');
    release();
    await expect.poll(async () => coresOf(await page.getByTestId('runtime-cpu-now').textContent()), { timeout: 15_000 }).not.toBeNull();

    const readings: Reading[] = [];
    const started = Date.now();
    // The cell keeps a trace of the CPU it got (wall time, its own CPU time, every 0.2 s): on a shared
    // machine a busy loop may get less than a core, and what the figures must read is what it got. Where
    // it may (as root), it raises its priority, so that it does get about a core.
    const cell = execute(session.kernel!, BURN_CELL).then((r) => ({ ...r, ended: Date.now() }));
    let ended: number | undefined;
    void cell.then((r) => (ended = r.ended));
    let shot = false;
    while (ended === undefined || Date.now() < ended + 15_000) {
      const asked = Date.now();
      const [ks, l] = await Promise.all([kernels(), live('?user=alice', alice)]);
      const answered = Date.now();
      const row = page.locator(`[data-testid="kernel-row"][data-kernel="${kernelId}"]`);
      readings.push({
        asked,
        answered,
        kernel: ks.find((k) => k.id === kernelId),
        live: l.servers.find((s) => s.server === ''),
        page: {
          runtime: await page.getByTestId('runtime-cpu-now').textContent(),
          kernelCpu: await row.getByTestId('kernel-cpu').textContent(),
          kernelState: await row.getByTestId('kernel-state').textContent(),
        },
      });
      if (!shot && asked - started > 25_000) {
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: `${SHOTS}/runtime-burn.png`, fullPage: true });
        shot = true;
      }
      await sleep(Math.max(0, 1000 - (Date.now() - asked)));
    }
    const r = await cell;
    expect(r.status).toBe('ok');
    const { reniced, trace } = JSON.parse(r.output) as { reniced: boolean; trace: Array<[number, number]> };
    const got = truth(trace);
    const end = r.ended;
    const during = readings.filter((x) => x.asked >= started + 5000 && x.answered <= end - 500);
    const after = readings.filter((x) => x.asked >= end + 5000);
    expect(during.length).toBeGreaterThan(25);
    expect(after.length).toBeGreaterThan(5);
    const show = (xs: Reading[]) =>
      `reniced ${reniced}; [s, kernel cpu, state, live cpu, page, cores the loop got]: ` +
      JSON.stringify(xs.map((x) => [(x.asked - started) / 1000, x.kernel?.cpu, x.kernel?.execution_state, x.live?.cpu, x.page, got.around([x.asked, x.answered])]));
    // With its priority raised the loop gets about a core, so the checks below are issue 17's 1.0 ± 0.2.
    if (reniced) expect(got.around([started + 5000, end - 500]).low, show(during)).toBeGreaterThan(0.8);
    for (const x of during) {
      const { low, high } = got.around([x.asked, x.answered]);
      expect(x.kernel?.execution_state, show(during)).toBe('busy');
      expect(x.kernel?.cpu, show(during)).toBeGreaterThan(low - 0.2);
      expect(x.kernel?.cpu, show(during)).toBeLessThan(high + 0.2);
      // GET /hub/api/live agrees: the whole runtime is the kernel plus its server's little.
      expect(x.live?.cpu, show(during)).toBeGreaterThan(low - 0.2);
      expect(x.live?.cpu, show(during)).toBeLessThan(high + 0.3);
      expect(x.live?.kernels).toBe(1);
      expect(x.live?.memory).toBeGreaterThan(x.kernel?.memory ?? Infinity);
    }
    // The page polls every 2 s: what it shows is one of its last answers, read up to a few seconds before.
    for (const x of during.filter((y) => y.asked >= started + 8000)) {
      const { low, high } = got.around([x.asked - 4000, x.asked]);
      expect(coresOf(x.page.runtime), show(during)).toBeGreaterThan(low - 0.2);
      expect(coresOf(x.page.runtime), show(during)).toBeLessThan(high + 0.3);
      expect(coresOf(x.page.kernelCpu), show(during)).toBeGreaterThan(low - 0.2);
      expect(coresOf(x.page.kernelCpu), show(during)).toBeLessThan(high + 0.2);
      expect(x.page.kernelState, show(during)).toBe('busy');
    }
    for (const x of after) {
      expect(x.kernel?.execution_state, show(after)).toBe('idle');
      expect(x.kernel?.cpu, show(after)).toBeLessThan(0.2);
      expect(x.kernel?.cpu, show(after)).not.toBeNull();
    }
    for (const x of after.filter((y) => y.asked >= end + 8000)) {
      expect(coresOf(x.page.kernelCpu), show(after)).toBeLessThan(0.2);
      expect(x.page.kernelState, show(after)).toBe('idle');
    }
    expect(shot).toBe(true);
  }, 150_000);
});
