import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool } from '../src/metrics/testing.js';
import { freePort } from '../src/spawners/local/ports.js';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

const PROMETHEUS_BIN = '/usr/bin/prometheus';

interface RunningPrometheus {
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** A real Prometheus (Debian package prometheus) scraping the hub's /hub/metrics every second. */
const startPrometheus = async (hubPort: number, token: string): Promise<RunningPrometheus> => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      {
        job_name: 'nbhub',
        metrics_path: '/hub/metrics',
        authorization: { type: 'Bearer', credentials: token },
        static_configs: [{ targets: [`127.0.0.1:${hubPort}`] }],
      },
    ],
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML
  let log = '';
  const proc = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const prom: RunningPrometheus = {
    url: `http://127.0.0.1:${port}`,
    proc,
    output: () => log,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && proc.exitCode === null) {
    try {
      if ((await fetch(`${prom.url}/-/ready`)).ok) return prom;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await prom.stop();
  throw new Error(`prometheus did not become ready (exit code ${proc.exitCode}):\n${log}`);
};

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

const query = async (prom: RunningPrometheus, promql: string, time?: number): Promise<VectorResult[]> => {
  const params = new URLSearchParams({ query: promql, ...(time !== undefined ? { time: String(time) } : {}) });
  const r = await fetch(`${prom.url}/api/v1/query?${params}`);
  const body = (await r.json()) as { status: string; error?: string; data: { resultType: string; result: VectorResult[] } };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
};

const queryRange = async (prom: RunningPrometheus, promql: string, start: number, end: number): Promise<unknown> => {
  const params = new URLSearchParams({ query: promql, start: String(start), end: String(end), step: '1' });
  return ((await (await fetch(`${prom.url}/api/v1/query_range?${params}`)).json()) as { data: unknown }).data;
};

/** The nbhub target as Prometheus sees it: its health and the last scrape's error. */
const target = async (prom: RunningPrometheus): Promise<{ health: string; lastError: string } | undefined> => {
  const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
  };
  const t = body.data.activeTargets.find((a) => a.labels['job'] === 'nbhub');
  return t && { health: t.health, lastError: t.lastError };
};

const BUSY_SECONDS = 8;
// The cell also says how much CPU it got: on a shared machine a busy loop may get less than a core.
const BUSY_CELL = `import time\nt=time.time()\nc=time.process_time()\nwhile time.time()-t<${BUSY_SECONDS}: pass\nprint(round(time.process_time()-c, 3))`;

describe('a real Prometheus scrapes /hub/metrics (real Jupyter, real Prometheus)', () => {
  let hub: TestHub;
  let admin: string;
  let bob: string;
  let prom: RunningPrometheus | undefined;
  let jupyter: ReturnType<typeof managers> | undefined;
  beforeAll(async () => {
    hub = await startTestHub({ config: 'monitoring:\n  interval_seconds: 1\n' });
    admin = hub.addUser('admin', { admin: true });
    bob = hub.addUser('bob');
  });
  afterAll(async () => {
    jupyter?.dispose();
    await prom?.stop();
    await hub?.dispose();
  });

  it("serves /hub/metrics to an admin's token only, in a format promtool accepts", async () => {
    expect((await hub.api('/hub/metrics')).status).toBe(403);
    expect((await hub.api('/hub/metrics', { token: bob })).status).toBe(403);
    expect((await hub.api('/hub/metrics', { headers: { authorization: `Bearer ${bob}` } })).status).toBe(403);
    const r = await hub.api('/hub/metrics', { headers: { authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    expect(text).toMatch(/^nbhub_sampler_interval_seconds 1$/m);
    expect(text).toMatch(/^nbhub_users 2$/m);
    // The log feed's losses, from the hub's own feed (nothing ships here: it reads no line, loses none).
    expect(text).toMatch(/^nbhub_log_feed_skipped_bytes_total 0$/m);
    expect(text).toMatch(/^nbhub_log_feed_hub_lines_dropped_total 0$/m);
    expect(promtool(['check', 'metrics'], text)).toEqual({ status: 0, output: '' });
  });

  it("gives PromQL the CPU of a kernel kept busy for 8 s: about one core", async () => {
    expect((await hub.api('/hub/api/users/admin/server', { method: 'POST', token: admin })).status).toBe(201);
    const started = await hub.api('/user/admin/api/kernels', { method: 'POST', token: admin, body: { name: 'python3' } });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };

    prom = await startPrometheus(hub.port, admin);
    const p = prom;
    const kernelSeries = `nbhub_kernel_cpu_seconds_total{job="nbhub",user="admin",server="",kernel="${id}"}`;
    // Scraped with the admin's token, and the sampler has found the kernel (no session: notebook="").
    await expect
      .poll(async () => (await target(p)) ?? {}, { timeout: 30_000, interval: 500 })
      .toMatchObject({ health: 'up', lastError: '' });
    await expect
      .poll(async () => (await query(p, kernelSeries)).map((s) => s.metric['notebook'] ?? ''), { timeout: 30_000, interval: 500 })
      .toEqual(['']);

    jupyter = managers(jupyterSettings(hub.url, '/user/admin/', admin));
    const kernel = jupyter.kernels.connectTo({ model: { id, name: 'python3' } });
    expect(await execute(kernel, 'print(1)')).toEqual({ status: 'ok', output: '1\n' });

    const busyStart = Date.now() / 1000;
    const busy = execute(kernel, BUSY_CELL);
    // While the cell runs, Prometheus keeps scraping; the hub keeps answering.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await hub.api('/hub/api/', { token: admin })).status).toBe(200);
    const done = await busy;
    expect(done.status).toBe('ok');
    const share = Number(done.output) / BUSY_SECONDS;
    expect(share).toBeGreaterThan(0.2);
    // Evaluate inside the busy window ([2 s, 7 s] after the request), once Prometheus has scraped past it.
    const at = busyStart + BUSY_SECONDS - 1;
    while (Date.now() / 1000 < at + 2) await new Promise((r) => setTimeout(r, 200));

    const kernelRate = `rate(nbhub_kernel_cpu_seconds_total{user="admin",kernel="${id}"}[5s])`;
    const result = await query(p, kernelRate, at);
    const context = async () =>
      `${kernelRate} over the busy window: ${JSON.stringify(await queryRange(p, kernelRate, busyStart - 2, busyStart + BUSY_SECONDS + 2))}\nprometheus:\n${p.output()}\nhub:\n${hub.output()}`;
    expect(result, await context()).toHaveLength(1);
    const cores = Number(result[0]!.value[1]);
    // About the cores the cell got: one when the machine gave it one.
    expect(cores, await context()).toBeGreaterThan(0.6 * Math.min(1, share));
    expect(cores, await context()).toBeLessThan(1.4);

    // The runtime as a whole (server="" is the default server) includes that kernel.
    const runtime = await query(p, 'rate(nbhub_runtime_cpu_seconds_total{user="admin",server=""}[5s])', at);
    expect(runtime).toHaveLength(1);
    expect(Number(runtime[0]!.value[1])).toBeGreaterThan(0.6 * Math.min(1, share));

    // And the kernel goes back to idle once the cell is done: the figure follows the cell, not the kernel.
    const idleAt = busyStart + BUSY_SECONDS + 7;
    while (Date.now() / 1000 < idleAt + 2) await new Promise((r) => setTimeout(r, 200));
    const idle = await query(p, kernelRate, idleAt);
    expect(idle, await context()).toHaveLength(1);
    expect(Number(idle[0]!.value[1]), await context()).toBeLessThan(0.2);
    await kernel.shutdown();
  }, 120_000);
});
