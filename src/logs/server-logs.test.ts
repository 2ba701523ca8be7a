import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from '../core/errors.js';
import type { LogRange } from '../core/logs.js';
import { LocalLogFiles } from './files.js';
import { FileServerLogs } from './server-logs.js';
import { Tail } from './tail.js';

let dir: string;
let now: number;
const clock = { now: () => now };
const range = (r: Partial<LogRange> = {}): LogRange => ({ start: 'latest', stream: 'runtime', tail: 200, limit: 1000, ...r });
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}\n`).join('');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nbhub-logs-'));
  now = 1_800_000_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = (o: { startsKept?: number; bytesPerServer?: number } = {}) =>
  new LocalLogFiles({ dataDir: dir, clock, startsKept: o.startsKept ?? 10, bytesPerServer: o.bytesPerServer ?? 1 << 30 });
const reader = (bytesPerFile = 1 << 20) => new FileServerLogs({ dataDir: dir, bytesPerFile, pollMs: 20 });

describe('log files per start', () => {
  it('keeps each start apart, with its profile, and reads the last lines of the latest', async () => {
    const f = files();
    appendFileSync(f.newStart({ user: 'alice', server: '', profile: 'default' }), 'first start\n');
    now += 1000;
    appendFileSync(f.newStart({ user: 'alice', server: '', profile: 'big' }), lines(0, 500));
    const page = await reader().read('alice', '', range({ tail: 3 }));
    expect(page.starts.map((s) => s.profile)).toEqual(['default', 'big']);
    expect(page.start?.startedAt).toBe(now);
    expect(page.lines).toEqual(['line 497', 'line 498', 'line 499']);
    const older = await reader().read('alice', '', range({ start: '0' }));
    expect(older.lines).toEqual(['first start']);
    const byId = await reader().read('alice', '', range({ start: page.starts[0]?.id }));
    expect(byId.lines).toEqual(['first start']);
  });

  it('pages by byte offset and searches', async () => {
    appendFileSync(files().newStart({ user: 'alice', server: 'lab', profile: 'p' }), lines(0, 100) + 'an ERROR at the end\n');
    const first = await reader().read('alice', 'lab', range({ offset: 0, limit: 10 }));
    expect(first.lines).toEqual(lines(0, 10).trimEnd().split('\n'));
    const second = await reader().read('alice', 'lab', range({ offset: first.next, limit: 2 }));
    expect(second.lines).toEqual(['line 10', 'line 11']);
    expect((await reader().read('alice', 'lab', range({ q: 'error' }))).lines).toEqual(['an ERROR at the end']);
    expect((await reader().read('alice', 'lab', range({ q: 'line 5', tail: 2 }))).lines).toEqual(['line 58', 'line 59']);
  });

  it('names what is missing: an unknown start, an app without output', async () => {
    files().newStart({ user: 'alice', server: '', profile: 'p' });
    await expect(reader().read('alice', '', range({ start: '7' }))).rejects.toThrow(/start: no start "7"; kept: 0 \(/);
    await expect(reader().read('alice', '', range({ stream: 'app:board' }))).rejects.toThrow(HubError);
    expect((await reader().read('bob', '', range())).starts).toEqual([]);
  });

  it('puts an app beside its runtime’s latest start', async () => {
    const f = files();
    f.newStart({ user: 'alice', server: '', profile: 'p' });
    appendFileSync(f.appLog('alice', '', 'board'), 'app says hi\n');
    const page = await reader().read('alice', '', range({ stream: 'app:board' }));
    expect(page.start?.streams).toEqual(['runtime', 'app:board']);
    expect(page.lines).toEqual(['app says hi']);
  });

  it('deletes the oldest starts past the count and the bytes per server', async () => {
    const f = files({ startsKept: 2, bytesPerServer: 10_000 });
    for (let i = 0; i < 4; i++) {
      now += 1000;
      appendFileSync(f.newStart({ user: 'alice', server: '', profile: 'p' }), `start ${i}\n`);
    }
    expect((await reader().read('alice', '', range())).starts.map((s) => s.startedAt)).toEqual([now - 1000, now]);
    now += 1000;
    appendFileSync(f.newStart({ user: 'alice', server: '', profile: 'p' }), 'x'.repeat(20_000) + '\n');
    now += 1000;
    const last = f.newStart({ user: 'alice', server: '', profile: 'p' });
    // The big start alone is over the bytes: every older one goes, the newest stays.
    expect(readdirSync(dirname(last)).filter((n) => n.endsWith('.json'))).toEqual([`${now}.json`]);
  });

  it('reads the rotated part first and deletes a server’s and a user’s logs', async () => {
    const path = files().newStart({ user: 'alice', server: 'lab', profile: 'p' });
    appendFileSync(path, lines(0, 50));
    const tail = await Tail.at(path, 0);
    await tail.rotate(100);
    appendFileSync(path, lines(50, 52));
    const page = await reader().read('alice', 'lab', range({ tail: 3 }));
    expect(page.lines).toEqual(['line 49', 'line 50', 'line 51']);
    expect(statSync(path).size).toBe(lines(50, 52).length);
    await reader().removeServer('alice', 'lab');
    expect(existsSync(path)).toBe(false);
    files().newStart({ user: 'alice', server: '', profile: 'p' });
    await reader().removeUser('alice');
    expect(existsSync(join(dir, 'logs', 'alice'))).toBe(false);
  });
});

describe('follow', () => {
  it('sends each new line, also after a rotation, until aborted', async () => {
    const path = files().newStart({ user: 'alice', server: '', profile: 'p' });
    appendFileSync(path, 'old\n');
    const got: string[] = [];
    const ac = new AbortController();
    const page = await reader().read('alice', '', range());
    reader().follow('alice', '', page.start?.id ?? '', 'runtime', page.next, ac.signal, (l) => got.push(...l));
    appendFileSync(path, 'new 1\npartial');
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['new 1']);
    appendFileSync(path, ' line\n');
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['new 1', 'partial line']);
    await (await Tail.at(path, statSync(path).size)).rotate(10);
    appendFileSync(path, 'after rotation\n');
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['new 1', 'partial line', 'after rotation']);
    ac.abort();
    appendFileSync(path, 'not sent\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(got).not.toContain('not sent');
  });
});
