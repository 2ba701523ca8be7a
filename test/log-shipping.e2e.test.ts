import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../src/metrics/testing.js';
import { freePort } from '../src/spawners/local/ports.js';
import { tcpReceiver, udpReceiver, type GelfMessage } from './helpers/gelf.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

/**
 * Issue 18, logs shipped: a runtime prints a 1 MB burst (helpers/burst-runtime.py) and every line reaches a GELF
 * UDP receiver (chunks reassembled and inflated as the spec says), a GELF TCP receiver and a Loki push receiver,
 * with its labels, in order. With the receivers gone or not reading, the runtime still prints its whole burst
 * (as it does on a hub that ships nothing) and the hub counts what it dropped.
 */
const BURST = fileURLToPath(new URL('./helpers/burst-runtime.py', import.meta.url));
const profiles = `
profiles:
  burst:
    command: ["python3", "${BURST}", "{port}", "{base_url}", "{workspace}"]
    readiness_path: ""
`;

interface LokiPushBody {
  streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }>;
}

/** A Loki push endpoint in the test: keeps every body it took, or refuses all with `status`. */
const lokiReceiver = async () => {
  const pushes: LokiPushBody[] = [];
  const contentTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/loki/api/v1/push') return void res.writeHead(404).end();
      contentTypes.add(req.headers['content-type'] ?? '');
      pushes.push(JSON.parse(body) as LokiPushBody);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`,
    pushes,
    contentTypes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

const hubs: TestHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.dispose();
});

/** Starts server `server` of alice with the burst profile and waits for the burst to be written whole. */
const runBurst = async (hub: TestHub, server: string): Promise<{ lines: number; seconds: number }> => {
  const token = hub.addUser('alice');
  const r = await hub.api(`/hub/api/users/alice/servers/${server}`, { method: 'POST', token, body: { profile: 'burst' } });
  expect([201, 202], await r.text()).toContain(r.status);
  const done = join(hub.dataDir, 'workspaces', 'alice', server, 'burst-done');
  await expect.poll(() => existsSync(done) && readFileSync(done, 'utf8').endsWith('\n'), { timeout: 60_000, interval: 100 }).toBe(true);
  const [lines, seconds] = readFileSync(done, 'utf8').trim().split(' ').map(Number) as [number, number];
  return { lines, seconds };
};

const expectedLines = (n: number): string[] => [...Array(n).keys()].map((i) => `burst ${String(i).padStart(6, '0')}`);
const burstLines = <T>(items: T[], text: (t: T) => string): string[] => items.map(text).filter((t) => t.startsWith('burst '));
/** Each line starts with "burst NNNNNN": the numbers, in order, are the lines' identity. */
const numbers = (lines: string[]): string[] => lines.map((l) => l.slice(0, 'burst 000000'.length));

const metrics = async (hub: TestHub, admin: string) => parseExposition(await (await hub.api('/hub/metrics', { token: admin })).text());

describe('log shipping', () => {
  it('ships every line of a 1 MB burst to GELF over UDP and TCP and to Loki, with labels, in order', async () => {
    const udp = await udpReceiver();
    const tcp = await tcpReceiver();
    const loki = await lokiReceiver();
    const hub = await startTestHub({
      config: `${profiles}
logs:
  ship:
    queue_lines: 100000
    gelf:
      - url: udp://127.0.0.1:${udp.port}
      - url: tcp://127.0.0.1:${tcp.port}
    loki:
      - url: ${loki.url}
        labels: {cluster: e2e}
        batch_lines: 2000
        flush_seconds: 0.2
services:
  - name: printer
    command: [python3, -c, "import time; print('printer ready', flush=True); time.sleep(3600)"]
`,
      // The hub's own lines at info: what it does about the start is shipped under stream hub.
      env: { NBHUB_LOG_LEVEL: 'info' },
    });
    hubs.push(hub);
    try {
      const { lines } = await runBurst(hub, 'burst');
      const want = expectedLines(lines);
      const runtimeOf = (m: GelfMessage) => m._stream === 'runtime' && m._server === 'burst';

      await expect.poll(() => tcp.messages.filter(runtimeOf).length, { timeout: 60_000, interval: 200 }).toBe(lines);
      const tcpLines = burstLines(tcp.messages.filter(runtimeOf), (m) => m.short_message);
      expect(numbers(tcpLines)).toEqual(want);
      const first = tcp.messages.find(runtimeOf)!;
      expect(first).toMatchObject({ version: '1.1', level: 6, _user: 'alice', _server: 'burst', _profile: 'burst', _stream: 'runtime' });
      expect(typeof first._hub_instance).toBe('string');
      expect(first).not.toHaveProperty('_id');
      expect(Math.abs(first.timestamp - Date.now() / 1000)).toBeLessThan(600);
      // The hub's own lines are shipped too, under stream hub.
      expect(tcp.messages.some((m) => m._stream === 'hub' && m._user === '')).toBe(true);
      // A managed service's output too, under stream service:{name}, without a user or a server.
      const printer = () => tcp.messages.filter((m) => m._stream === 'service:printer');
      await expect.poll(() => printer().map((m) => m.short_message), { timeout: 30_000, interval: 200 }).toContain('printer ready');
      expect(printer().every((m) => m._user === '' && m._server === '')).toBe(true);

      await expect.poll(() => udp.result().messages.filter(runtimeOf).length, { timeout: 60_000, interval: 500 }).toBe(lines);
      const r = udp.result();
      expect(r.incomplete).toBe(0);
      expect(r.compression.has('gzip')).toBe(true);
      // The long lines needed more than one 1420-byte datagram.
      expect(r.chunked).toBeGreaterThan(0);
      const udpRuntime = r.messages.filter(runtimeOf);
      expect(numbers(burstLines(udpRuntime, (m) => m.short_message))).toEqual(want);
      // Whole lines, long ones included: the same text as over TCP.
      expect(udpRuntime.map((m) => m.short_message)).toEqual(tcpLines);
      expect(udpRuntime.every((m) => m._user === 'alice' && m._profile === 'burst')).toBe(true);

      const lokiRuntime = () => loki.pushes.flatMap((p) => p.streams.filter((s) => s.stream['stream'] === 'runtime' && s.stream['server'] === 'burst'));
      await expect.poll(() => lokiRuntime().reduce((n, s) => n + s.values.length, 0), { timeout: 60_000, interval: 200 }).toBe(lines);
      expect(loki.contentTypes).toEqual(new Set(['application/json']));
      const lokiPrinter = loki.pushes.flatMap((p) => p.streams.filter((s) => s.stream['stream'] === 'service:printer'));
      expect(lokiPrinter.flatMap((s) => s.values.map(([, line]) => line))).toContain('printer ready');
      for (const s of lokiRuntime()) expect(s.stream).toMatchObject({ cluster: 'e2e', user: 'alice', server: 'burst', profile: 'burst', stream: 'runtime', hub_instance: first._hub_instance });
      const values = lokiRuntime().flatMap((s) => s.values);
      expect(values.map(([, line]) => line)).toEqual(tcpLines);
      // Nanosecond timestamps as strings, strictly increasing within the stream, near now.
      const stamps = values.map(([ns]) => {
        expect(ns).toMatch(/^\d{19}$/);
        return BigInt(ns);
      });
      for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
      expect(Math.abs(Number(stamps[0]! / 1_000_000n) - Date.now())).toBeLessThan(600_000);

      const admin = hub.addUser('admin', { admin: true });
      const m = await metrics(hub, admin);
      const shipped = m.get('nbhub_log_lines_shipped_total')!.samples;
      expect(shipped.map((s) => s.labels['sink']).sort()).toEqual([`gelf+tcp://127.0.0.1:${tcp.port}`, `gelf+udp://127.0.0.1:${udp.port}`, loki.url.replace('http://', 'loki+http://')].sort());
      for (const s of shipped) expect(s.value).toBeGreaterThanOrEqual(lines);
      expect(m.get('nbhub_log_lines_dropped_total')!.samples.reduce((n, s) => n + s.value, 0)).toBe(0);
    } finally {
      await hub.dispose();
      await Promise.all([udp.close(), tcp.close(), loki.close()]);
    }
  });

  it('with the receivers gone or not reading, the runtime prints its whole burst as without shipping, and drops are counted', async () => {
    // Without shipping: the reference run.
    const plain = await startTestHub({ config: profiles });
    hubs.push(plain);
    const reference = await runBurst(plain, 'burst');
    await plain.dispose();

    // A TCP receiver that accepts and never reads, a Loki nobody listens on, a small queue.
    const stalled = await tcpReceiver();
    stalled.pause(true);
    const refusedPort = await freePort();
    const hub = await startTestHub({
      config: `${profiles}
logs:
  ship:
    queue_lines: 1000
    gelf:
      - url: tcp://127.0.0.1:${stalled.port}
    loki:
      - url: http://127.0.0.1:${refusedPort}/loki/api/v1/push
`,
    });
    hubs.push(hub);
    try {
      const admin = hub.addUser('admin', { admin: true });
      const run = await runBurst(hub, 'burst');
      // The runtime wrote every line: shipping never holds it back.
      expect(run.lines).toBe(reference.lines);
      console.log(`burst of ${run.lines} lines: ${reference.seconds} s without shipping, ${run.seconds} s with its receivers stalled and gone`);

      const lokiSink = `loki+http://127.0.0.1:${refusedPort}/loki/api/v1/push`;
      const dropped = async (sink: string) =>
        (await metrics(hub, admin)).get('nbhub_log_lines_dropped_total')!.samples.filter((s) => s.labels['sink'] === sink).reduce((n, s) => n + s.value, 0);
      await expect.poll(() => dropped(lokiSink), { timeout: 30_000, interval: 200 }).toBeGreaterThan(run.lines / 2);
      const m = await metrics(hub, admin);
      expect(m.get('nbhub_log_lines_dropped_total')!.samples).toContainEqual({ labels: { sink: lokiSink, reason: 'queue_full' }, value: expect.any(Number) as number });
      expect(m.get('nbhub_log_lines_dropped_total')!.samples.find((s) => s.labels['sink'] === lokiSink && s.labels['reason'] === 'queue_full')!.value).toBeGreaterThan(0);
      // The stalled receiver's connection took what the system buffers; the rest was dropped, not waited for.
      await expect.poll(() => dropped(`gelf+tcp://127.0.0.1:${stalled.port}`), { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
      // And the hub says so in its log, once.
      expect(hub.output()).toMatch(/log shipping is dropping lines/);
      // The API still answers at once while the targets are down.
      expect((await hub.api('/hub/api/', {})).status).toBe(200);
    } finally {
      await hub.dispose();
      await stalled.close();
    }
  });
});
