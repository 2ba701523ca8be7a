import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import type { LogLine } from '../../core/logs.js';
import { Shipper } from './shipper.js';
import { SinkError, type BatchSink, type SendResult } from './sink.js';

const line = (n: number): LogLine => ({ at: n, stream: 'runtime', user: 'u', server: '', profile: 'p', line: `line ${n}` });

/** A sink whose sends the test answers: resolve them, fail them, or hold them. */
class FakeSink implements BatchSink {
  readonly name = 'fake';
  readonly lingerMs: number;
  readonly batches: string[][] = [];
  failures: Array<Error | null> = [];
  hold: Promise<void> | null = null;
  closed = false;
  constructor(readonly batchLines = 3, lingerMs = 0) {
    this.lingerMs = lingerMs;
  }
  async send(lines: readonly LogLine[], signal: AbortSignal): Promise<SendResult> {
    if (this.hold) await Promise.race([this.hold, new Promise((r) => signal.addEventListener('abort', r))]);
    if (signal.aborted) throw new Error('aborted');
    const f = this.failures.shift();
    if (f) throw f;
    this.batches.push(lines.map((l) => l.line));
    return { truncated: 0, failed: 0 };
  }
  async close() {
    this.closed = true;
  }
}

const warnings: object[] = [];
const log: Logger = { debug() {}, info() {}, error() {}, warn: (o) => void warnings.push(o) };
const clock = { now: () => 1_000_000 };
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('Shipper', () => {
  it('sends every line once, in order, in batches', async () => {
    const sink = new FakeSink(3);
    const s = new Shipper(sink, { queueLines: 100, clock, log });
    for (let i = 0; i < 10; i++) s.offer(line(i));
    await until(() => s.stats().shipped === 10);
    expect(sink.batches.flat()).toEqual([...Array(10).keys()].map((i) => `line ${i}`));
    expect(Math.max(...sink.batches.map((b) => b.length))).toBeLessThanOrEqual(3);
    await s.close(100);
    expect(sink.closed).toBe(true);
  });

  it('never waits on a stuck target: past the queue, the newest lines are dropped, counted, and warned once', async () => {
    warnings.length = 0;
    const sink = new FakeSink(2);
    let release!: () => void;
    sink.hold = new Promise((r) => (release = r));
    const s = new Shipper(sink, { queueLines: 5, clock, log });
    for (let i = 0; i < 1000; i++) s.offer(line(i));
    // The first line went out at once and is in flight; 5 more wait; the rest are gone.
    await until(() => s.stats().dropped.queue_full === 1000 - 1 - 5);
    expect(s.stats().queued).toBe(5);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ sink: 'fake', reason: 'queue_full' });
    sink.hold = null;
    release();
    await until(() => s.stats().shipped === 6);
    expect(sink.batches.flat()).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    await s.close(100);
  });

  it('retries a batch the target may take later, drops one it refused', async () => {
    const sink = new FakeSink(10);
    sink.failures = [new SinkError('503', true), new Error('ECONNREFUSED')];
    const s = new Shipper(sink, { queueLines: 100, clock, log });
    s.offer(line(1));
    await until(() => s.stats().shipped === 1);
    expect(sink.batches).toEqual([['line 1']]);
    sink.failures = [new SinkError('400 bad labels', false)];
    s.offer(line(2));
    await until(() => s.stats().dropped.rejected === 1);
    s.offer(line(3));
    await until(() => s.stats().shipped === 2);
    expect(sink.batches.flat()).toEqual(['line 1', 'line 3']);
    await s.close(100);
  });

  it('gives up on a target that stays unreachable, counting the batch as send_failed', async () => {
    const sink = new FakeSink(10);
    sink.failures = [new Error('down'), new Error('down')];
    const s = new Shipper(sink, { queueLines: 100, clock, log, maxAttempts: 2 });
    s.offer(line(1));
    await until(() => s.stats().dropped.send_failed === 1);
    s.offer(line(2));
    await until(() => s.stats().shipped === 1);
    await s.close(100);
  });

  it('waits for a full batch or the linger time', async () => {
    const sink = new FakeSink(3, 150);
    const s = new Shipper(sink, { queueLines: 100, clock, log });
    s.offer(line(1));
    s.offer(line(2));
    s.offer(line(3));
    s.offer(line(4));
    await until(() => sink.batches.length === 1);
    expect(sink.batches[0]).toEqual(['line 1', 'line 2', 'line 3']);
    await until(() => sink.batches.length === 2);
    expect(sink.batches[1]).toEqual(['line 4']);
    await s.close(100);
  });

  it('on close, sends what is queued within the bound, then counts the rest as closing', async () => {
    const quick = new FakeSink(2, 10_000);
    const q = new Shipper(quick, { queueLines: 100, clock, log });
    q.offer(line(1));
    await q.close(1_000);
    expect(quick.batches).toEqual([['line 1']]);

    const stuck = new FakeSink(2);
    stuck.hold = new Promise(() => undefined);
    const s = new Shipper(stuck, { queueLines: 100, clock, log });
    for (let i = 0; i < 5; i++) s.offer(line(i));
    await s.close(50);
    expect(s.stats()).toMatchObject({ shipped: 0, queued: 0, dropped: { closing: 5 } });
    expect(stuck.closed).toBe(true);
    s.offer(line(9));
    expect(s.stats().queued).toBe(0);
  });
});
