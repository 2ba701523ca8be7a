import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import type { LogFeed, LogLine, LogStream } from '../../core/logs.js';
import { Shipper } from './shipper.js';
import { LogShipping, streamKind } from './shipping.js';
import type { BatchSink } from './sink.js';

/** The feed as D's FileLogFeed offers it: listeners called with each line as it is read. */
const memoryFeed = () => {
  const listeners = new Set<(l: LogLine) => void>();
  const feed: LogFeed = {
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { feed, publish: (line: LogLine) => listeners.forEach((l) => l(line)), listeners };
};
const line = (stream: LogStream, text: string): LogLine => ({ at: 1, stream, user: stream === 'hub' ? '' : 'u', server: '', profile: '', line: text });

const recordingSink = (name: string) => {
  const got: string[] = [];
  const sink: BatchSink = {
    name,
    batchLines: 100,
    lingerMs: 0,
    send: async (lines) => {
      got.push(...lines.map((l) => l.line));
      return { truncated: 0, failed: 0 };
    },
    close: async () => undefined,
  };
  return { sink, got };
};

describe('LogShipping', () => {
  it('offers each line of the chosen streams to every target, from start to stop', async () => {
    const { feed, publish, listeners } = memoryFeed();
    const a = recordingSink('a');
    const b = recordingSink('b');
    const opts = { queueLines: 100, clock: { now: () => 0 }, log: silentLogger };
    const shipping = new LogShipping(feed, [new Shipper(a.sink, opts), new Shipper(b.sink, opts)], new Set(['runtime', 'apps'] as const));
    publish(line('runtime', 'before start'));
    shipping.start();
    publish(line('runtime', 'r1'));
    publish(line('app:lab', 'a1'));
    publish(line('hub', 'h1'));
    publish(line('service:x', 's1'));
    publish(line('runtime', 'r2'));
    await shipping.stop(1_000);
    expect(listeners.size).toBe(0);
    publish(line('runtime', 'after stop'));
    expect(a.got).toEqual(['r1', 'a1', 'r2']);
    expect(b.got).toEqual(['r1', 'a1', 'r2']);
    expect(shipping.stats().map((s) => [s.sink, s.shipped])).toEqual([['a', 3], ['b', 3]]);
  });
  it('names the kind of each stream as logs.ship.streams does', () => {
    expect((['runtime', 'hub', 'app:lab', 'service:grafana', 'cluster:etl'] as LogStream[]).map(streamKind)).toEqual(['runtime', 'hub', 'apps', 'services', 'clusters']);
  });
});
