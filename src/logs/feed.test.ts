import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { LogLine } from '../core/logs.js';
import { FileLogFeed } from './feed.js';
import { LocalLogFiles } from './files.js';
import { TeeDestination } from './tee.js';

let dir: string;
const clock = { now: () => 1_800_000_000_000 };
const feeds: FileLogFeed[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nbhub-feed-'));
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.stop();
  rmSync(dir, { recursive: true, force: true });
});

const feed = (bytesPerFile = 1 << 20) => {
  const f = new FileLogFeed({ dataDir: dir, bytesPerFile, pollMs: 20, clock, log: silentLogger });
  feeds.push(f);
  return f;
};
const collect = (f: FileLogFeed) => {
  const got: LogLine[] = [];
  f.subscribe((l) => got.push(l));
  return got;
};

describe('FileLogFeed', () => {
  it('publishes each line of a runtime and an app with its labels', async () => {
    const f = feed();
    const got = collect(f);
    const files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30, opened: (p) => f.track(p) });
    await f.start();
    appendFileSync(files.newStart({ user: 'alice', server: 'lab', profile: 'gpu' }), 'hello\n');
    appendFileSync(files.appLog('alice', 'lab', 'board'), 'app line\n');
    await expect.poll(() => got.map((l) => `${l.stream} ${l.user}/${l.server} ${l.profile} ${l.line}`).sort(), { timeout: 5000 }).toEqual([
      'app:board alice/lab gpu app line',
      'runtime alice/lab gpu hello',
    ]);
  });

  it("publishes a managed service's lines as stream service:{name}, without user, server or profile, each start on its own", async () => {
    const f = feed();
    const got = collect(f);
    let now = 1_800_000_000_000;
    const files = new LocalLogFiles({ dataDir: dir, clock: { now: () => now }, startsKept: 2, bytesPerServer: 1 << 30, opened: (p) => f.track(p) });
    await f.start();
    const first = files.serviceStart('board');
    appendFileSync(first, 'first start\n');
    await expect.poll(() => got.map((l) => l.line), { timeout: 5000 }).toEqual(['first start']);
    now += 1000;
    appendFileSync(files.serviceStart('board'), 'second start\n');
    await expect.poll(() => got.map((l) => `${l.stream} [${l.user}/${l.server}/${l.profile}] ${l.line}`), { timeout: 5000 }).toEqual([
      'service:board [//] first start',
      'service:board [//] second start',
    ]);
    // Retention as for runtimes (logs.starts_kept: 2 here): a third start drops the first.
    now += 1000;
    files.serviceStart('board');
    expect(readdirSync(join(dir, 'logs', '_services', 'board')).filter((n) => n.endsWith('-service.log'))).toHaveLength(2);
    expect(existsSync(first)).toBe(false);
  });

  it("publishes a cluster's process lines as stream cluster:{name} with the process as a label, follows a new start, and a removed cluster's logs are gone", async () => {
    const f = feed();
    const got = collect(f);
    let now = 1_800_000_000_000;
    const files = new LocalLogFiles({ dataDir: dir, clock: { now: () => now }, startsKept: 2, bytesPerServer: 1 << 30, opened: (p) => f.track(p) });
    await f.start();
    const first = files.clusterStart('etl', ['master', 'worker-1']);
    expect(Object.keys(first)).toEqual(['master', 'worker-1']);
    appendFileSync(first['master'] as string, 'Registering worker 127.0.0.1:40000\n');
    appendFileSync(first['worker-1'] as string, 'Successfully registered with master\n');
    const shown = () => got.map((l) => `${l.stream} ${l.process ?? '-'} [${l.user}/${l.server}/${l.profile}] ${l.line}`).sort();
    await expect.poll(shown, { timeout: 5000 }).toEqual([
      'cluster:etl master [//] Registering worker 127.0.0.1:40000',
      'cluster:etl worker-1 [//] Successfully registered with master',
    ]);
    now += 1000;
    const second = files.clusterStart('etl', ['master', 'worker-1']);
    expect(second['master']).not.toBe(first['master']);
    appendFileSync(second['master'] as string, 'I have been elected leader\n');
    await expect.poll(() => got.at(-1)?.line, { timeout: 5000 }).toBe('I have been elected leader');
    expect(() => files.clusterStart('etl', ['Master'])).toThrow(/process's name/);
    files.removeCluster('etl');
    expect(existsSync(join(dir, 'logs', '_clusters', 'etl'))).toBe(false);
  });

  it('does not publish old lines again after a restart, and finds running logs on its own', async () => {
    const files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30 });
    const path = files.newStart({ user: 'alice', server: '', profile: 'p' });
    appendFileSync(path, 'before\n');
    const first = feed();
    const got1 = collect(first);
    await first.start();
    await expect.poll(() => got1.map((l) => l.line), { timeout: 5000 }).toEqual(['before']);
    await first.stop();
    appendFileSync(path, 'while the hub was down\n');
    const second = feed();
    const got2 = collect(second);
    await second.start();
    await expect.poll(() => got2.map((l) => l.line), { timeout: 5000 }).toEqual(['while the hub was down']);
    expect(got2[0]?.server).toBe('');
  });

  it('rotates a file past the limit: the newest lines stay, the size stays bounded', async () => {
    const limit = 64 * 1024;
    const f = feed(limit);
    const got = collect(f);
    const files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30, opened: (p) => f.track(p) });
    await f.start();
    const path = files.newStart({ user: 'alice', server: '', profile: 'p' });
    for (let i = 0; i < 5000; i++) appendFileSync(path, `line ${i} ${'x'.repeat(80)}\n`);
    await expect.poll(() => got.at(-1)?.line, { timeout: 10_000 }).toMatch(/^line 4999 /);
    expect(statSync(path).size).toBeLessThanOrEqual(limit);
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(limit);
  });

  it('with nobody subscribed (nothing ships), reads no line yet keeps files bounded, and a later subscriber gets only new lines', async () => {
    const limit = 64 * 1024;
    const f = feed(limit);
    const files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30, opened: (p) => f.track(p) });
    await f.start();
    const path = files.newStart({ user: 'alice', server: '', profile: 'p' });
    for (let i = 0; i < 5000; i++) appendFileSync(path, `line ${i} ${'x'.repeat(80)}\n`);
    await expect.poll(() => statSync(path).size, { timeout: 10_000 }).toBeLessThanOrEqual(limit);
    const got = collect(f);
    appendFileSync(path, 'after\n');
    await expect.poll(() => got.map((l) => l.line), { timeout: 5000 }).toEqual(['after']);
  });

  it('counts what it lost for /hub/metrics: output rotated away unread, hub lines past its queue', async () => {
    const limit = 64 * 1024;
    const files = new LocalLogFiles({ dataDir: dir, clock, startsKept: 5, bytesPerServer: 1 << 30 });
    const path = files.newStart({ user: 'alice', server: '', profile: 'p' });
    // Written while the hub was not reading: far past the limit, so rotation skips what it cannot keep.
    appendFileSync(path, Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(80)}\n`).join(''));
    const f = new FileLogFeed({ dataDir: dir, bytesPerFile: limit, pollMs: 20, clock, log: silentLogger, hubQueue: 10 });
    feeds.push(f);
    const got = collect(f);
    expect(f.stats()).toEqual({ skippedBytes: 0, droppedHubLines: 0 });
    await f.start();
    await expect.poll(() => got.at(-1)?.line, { timeout: 10_000 }).toMatch(/^line 4999 /);
    const { skippedBytes } = f.stats();
    expect(skippedBytes).toBeGreaterThan(5000 * 90 - 2 * limit);
    expect(skippedBytes).toBeLessThan(5000 * 90);

    f.offerHub(Array.from({ length: 25 }, (_, i) => `{"msg":"${i}"}`).join('\n') + '\n');
    expect(f.stats().droppedHubLines).toBe(15);
  });

  it("offers the hub's own records without blocking the writer", async () => {
    const f = feed();
    const got = collect(f);
    const out: string[] = [];
    const tee = new TeeDestination({ write: (c: string) => out.push(c) });
    tee.sink = (c) => f.offerHub(c);
    tee.write('{"msg":"one"}\n');
    expect(out).toEqual(['{"msg":"one"}\n']);
    expect(got).toEqual([]);
    await expect.poll(() => got.map((l) => [l.stream, l.line]), { timeout: 1000 }).toEqual([['hub', '{"msg":"one"}']]);
  });
});
