import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tcpReceiver, udpReceiver } from '../../../test/helpers/gelf.js';
import type { LogLine } from '../../core/logs.js';
import { GelfTcpSink } from './gelf-tcp.js';
import { GelfUdpSink } from './gelf-udp.js';
import { LokiSink } from './loki.js';
import { SinkError } from './sink.js';

const source = { host: 'h', hubInstance: 'h:1' };
const lines = (n: number, o: Partial<LogLine> = {}): LogLine[] =>
  [...Array(n).keys()].map((i) => ({ at: 1_760_000_000_000 + i, stream: 'runtime', user: 'alice', server: 's', profile: 'p', line: `line ${i} ${'x'.repeat(i % 50)}`, ...o }));
const never = new AbortController().signal;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('GELF UDP sink', () => {
  it('delivers every line of a batch, long ones chunked', async () => {
    const rx = await udpReceiver();
    cleanups.push(() => rx.close());
    const sink = new GelfUdpSink({ host: '127.0.0.1', port: rx.port, compression: 'none', chunkSize: 512, source });
    cleanups.push(() => sink.close());
    const batch = [...lines(200), ...lines(3, { line: 'y'.repeat(5000) })];
    expect(await sink.send(batch)).toEqual({ truncated: 0, failed: 0 });
    await until(() => rx.result().messages.length === 203);
    const r = rx.result();
    expect(r.incomplete).toBe(0);
    expect(r.chunked).toBe(3);
    expect(r.messages.map((m) => m.short_message)).toEqual(batch.map((l) => l.line));
  });
  it('counts the lines of datagrams refused by a port nobody listens on', async () => {
    const rx = await udpReceiver();
    const port = rx.port;
    await rx.close();
    const sink = new GelfUdpSink({ host: '127.0.0.1', port, compression: 'gzip', chunkSize: 1420, source });
    cleanups.push(() => sink.close());
    let failed = 0;
    // The refusal (ICMP) is reported on the sends after the first.
    for (let i = 0; i < 5; i++) failed += (await sink.send(lines(10))).failed;
    expect(failed).toBeGreaterThan(0);
  });
});

describe('GELF TCP sink', () => {
  it('delivers null-delimited uncompressed messages, and connects again after the receiver went away', async () => {
    const rx = await tcpReceiver();
    cleanups.push(() => rx.close());
    const sink = new GelfTcpSink({ host: '127.0.0.1', port: rx.port, source, timeoutMs: 1_000 });
    cleanups.push(() => sink.close());
    await sink.send(lines(100), never);
    await until(() => rx.messages.length === 100);
    expect(rx.messages.map((m) => m.short_message)).toEqual(lines(100).map((l) => l.line));
    expect(rx.messages[0]).toMatchObject({ version: '1.1', _user: 'alice', _server: 's', _profile: 'p', _stream: 'runtime', _hub_instance: 'h:1' });

    // The receiver goes away: sending fails (the Shipper retries), and once it is back the same sink connects again.
    await rx.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(sink.send(lines(1), never)).rejects.toBeInstanceOf(SinkError);
    const back = await tcpReceiver(rx.port);
    cleanups.push(() => back.close());
    await sink.send(lines(5), never);
    await until(() => back.messages.length === 5);
    expect(back.connections).toBe(1);
  });
  it('gives up a batch a receiver does not read, within the timeout', async () => {
    const rx = await tcpReceiver();
    cleanups.push(() => rx.close());
    rx.pause(true);
    const sink = new GelfTcpSink({ host: '127.0.0.1', port: rx.port, source, timeoutMs: 300 });
    cleanups.push(() => sink.close());
    const big = lines(512, { line: 'z'.repeat(8000) });
    let err: unknown = null;
    for (let i = 0; i < 20 && !err; i++) await sink.send(big, never).catch((e: unknown) => (err = e));
    expect(err).toBeInstanceOf(SinkError);
    expect((err as Error).message).toMatch(/does not read/);
  });
});

interface Push {
  headers: IncomingMessage['headers'];
  body: { streams: Array<{ stream: Record<string, string>; values: Array<[string, string]> }> };
}

const lokiReceiver = async (answer: () => number) => {
  const pushes: Push[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = answer();
      if (status < 300) pushes.push({ headers: req.headers, body: JSON.parse(body) as Push['body'] });
      res.writeHead(status).end(status < 300 ? '' : 'entry too far behind');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/loki/api/v1/push`, pushes };
};

describe('Loki sink', () => {
  it('pushes JSON with labels, basic auth and the tenant header; 5xx and 429 are retryable, other 4xx not', async () => {
    const statuses = [204, 500, 429, 400];
    const rx = await lokiReceiver(() => statuses.shift() ?? 204);
    const sink = new LokiSink({ url: rx.url, labels: { env: 'test' }, username: 'u', password: 'p', tenant: 'team-a', batchLines: 100, flushMs: 100, hubInstance: 'h:1' });
    await sink.send(lines(3), never);
    expect(rx.pushes).toHaveLength(1);
    const push = rx.pushes[0]!;
    expect(push.headers['authorization']).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    expect(push.headers['x-scope-orgid']).toBe('team-a');
    expect(push.headers['content-type']).toBe('application/json');
    expect(push.body.streams).toHaveLength(1);
    expect(push.body.streams[0]!.stream).toEqual({ env: 'test', user: 'alice', server: 's', profile: 'p', stream: 'runtime', hub_instance: 'h:1' });
    expect(push.body.streams[0]!.values.map(([ts]) => ts)).toEqual(['1760000000000000000', '1760000000001000000', '1760000000002000000']);
    for (const retry of [true, true, false]) {
      const err = (await sink.send(lines(1), never).catch((e: unknown) => e)) as SinkError;
      expect(err).toBeInstanceOf(SinkError);
      expect(err.retry).toBe(retry);
    }
    const gone = new LokiSink({ url: 'http://127.0.0.1:9/loki/api/v1/push', labels: {}, username: '', password: '', tenant: '', batchLines: 1, flushMs: 100, hubInstance: 'h' });
    const err = (await gone.send(lines(1), never).catch((e: unknown) => e)) as SinkError;
    expect(err.retry).toBe(true);
  });
});
