import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastOffsetOf, type AgentEvent, type NewEvent } from '../../core/events.js';
import { EventLog } from './event-log.js';
import { parseLine } from './lines.js';

const clock = { now: () => 1_000 };
const sample = (t: number): NewEvent => ({ type: 'sample', time: t, user: 'ann', server: '', kernel: '', cpu_from: t - 1, cpu: t, memory: 1 });
const kernel = (t: number): NewEvent => ({ type: 'kernel', time: t, user: 'ann', server: '', kernel: 'k', change: 'appeared', notebooks: [] });

/** Reads everything after `after` as the hub does, in batches, checking that every offset is accounted for. */
const drain = (log: EventLog, after = 0, limit = 7): AgentEvent[] => {
  const out: AgentEvent[] = [];
  let at = after;
  for (;;) {
    const { lines } = log.read(at, limit);
    if (lines.length === 0) return out;
    for (const e of lines.map(parseLine)) {
      expect(e.offset).toBe(at + 1);
      at = lastOffsetOf(e);
      out.push(e);
    }
  }
};

describe('EventLog', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'nbhub-log-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('gives increasing offsets, serves them after any offset, and keeps them across a reopen', async () => {
    const d = dir();
    const log = EventLog.open(d, { maxBytes: 1 << 20, segmentBytes: 400, clock });
    for (let i = 0; i < 10; i++) await log.append([sample(i * 3 + 1), sample(i * 3 + 2), kernel(i * 3 + 3)]);
    expect(log.head).toBe(30);
    expect(readdirSync(d).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(2);
    expect(drain(log).map((e) => e.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(log.read(12, 3).lines.map((l) => parseLine(l).offset)).toEqual([13, 14, 15]);
    log.close();
    const again = EventLog.open(d, { maxBytes: 1 << 20, segmentBytes: 400, clock });
    expect(again.head).toBe(30);
    expect(again.headTime).toBe(30);
    expect(again.created).toBe(log.created);
    expect(await again.append([sample(31)])).toBe(31);
    expect(drain(again, 25).map((e) => e.offset)).toEqual([26, 27, 28, 29, 30, 31]);
  });

  it('cuts a line torn by a crash in the middle of an append', async () => {
    const d = dir();
    const log = EventLog.open(d, { maxBytes: 1 << 20, clock });
    await log.append([sample(1), sample(2)]);
    log.close();
    const file = join(d, readdirSync(d).find((f) => f.endsWith('.log')) as string);
    appendFileSync(file, '{"offset":3,"type":"sam');
    const again = EventLog.open(d, { maxBytes: 1 << 20, clock });
    expect(again.head).toBe(2);
    await again.append([sample(3)]);
    expect(drain(again).map((e) => e.offset)).toEqual([1, 2, 3]);
  });

  it('trims whole segments the hub acknowledged, never the newest', async () => {
    const d = dir();
    const log = EventLog.open(d, { maxBytes: 1 << 20, segmentBytes: 300, clock });
    for (let i = 1; i <= 20; i++) await log.append([sample(i)]);
    const segments = () => readdirSync(d).filter((f) => f.endsWith('.log')).length;
    const before = segments();
    log.ack(10);
    expect(segments()).toBeLessThan(before);
    expect(drain(log, 10).map((e) => e.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i + 11));
    log.ack(20);
    expect(segments()).toBe(1);
    expect(log.head).toBe(20);
    expect(await log.append([sample(21)])).toBe(21);
  });

  it('past its bound drops the oldest samples as lost ranges, keeping other events in place', async () => {
    const d = dir();
    const log = EventLog.open(d, { maxBytes: 2_000, segmentBytes: 500, clock });
    for (let i = 1; i <= 40; i++) await log.append([i % 10 === 0 ? kernel(i) : sample(i)]);
    expect(log.bytes).toBeLessThanOrEqual(2_000 + 500);
    const events = drain(log);
    const lost = events.filter((e) => e.type === 'lost');
    expect(lost.length).toBeGreaterThan(0);
    // Kernel events in dropped segments survive; the newest samples are all there.
    expect(events.filter((e) => e.type === 'kernel').map((e) => e.offset)).toEqual([10, 20, 30, 40]);
    expect(events.at(-2)).toMatchObject({ type: 'sample', offset: 39 });
    const count = lost.reduce((n, e) => n + (e.type === 'lost' ? e.count : 0), 0);
    expect(count + events.filter((e) => e.type !== 'lost').length).toBe(40);
    expect(log.droppedSinceOpen).toBe(count);
    // A reader in the middle of a lost range gets what is left of it.
    const range = lost[0];
    if (range?.type === 'lost' && range.through > range.offset) {
      const [first] = drain(log, range.offset);
      expect(first).toMatchObject({ type: 'lost', offset: range.offset + 1, through: range.through, count: range.through - range.offset });
    }
  });

  it('drops whole old segments when only other events are left, and reports the gap as lost', async () => {
    const d = dir();
    const log = EventLog.open(d, { maxBytes: 1_000, segmentBytes: 300, clock });
    for (let i = 1; i <= 30; i++) await log.append([kernel(i)]);
    const events = drain(log);
    expect(events[0]).toMatchObject({ type: 'lost', offset: 1 });
    expect(events.at(-1)).toMatchObject({ type: 'kernel', offset: 30 });
  });
});
