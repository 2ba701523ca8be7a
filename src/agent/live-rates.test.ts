import { describe, expect, it } from 'vitest';
import { baseFor, liveRates, prune, remember, type Counted, type CounterReading } from './live-rates.js';

const proc = (pid: number, ppid: number, start: number, cpuSeconds: number): Counted => ({ pid, ppid, start, cpuSeconds });
const at = (t: number, ...procs: Counted[]): CounterReading => ({ t, procs });

describe('live rates', () => {
  it('gives a process its counter’s growth over the time between the readings', () => {
    const r = liveRates(at(100, proc(10, 1, 50, 3)), at(102, proc(10, 1, 50, 5)));
    expect(r.get('10:50')).toBeCloseTo(1);
  });

  it('counts a process started since the earlier reading from its start, and gives none younger than a second', () => {
    const r = liveRates(at(100, proc(10, 1, 50, 3)), at(102, proc(10, 1, 50, 3), proc(11, 10, 100.5, 0.75), proc(12, 10, 101.5, 0.4)));
    expect(r.get('11:100.5')).toBeCloseTo(0.5);
    expect(r.get('12:101.5')).toBeNull();
    expect(r.get('10:50')).toBe(0);
  });

  it('takes a reused pid for another process (by its start time)', () => {
    const r = liveRates(at(100, proc(10, 1, 50, 30)), at(102, proc(10, 1, 101, 0.5)));
    expect(r.get('10:101')).toBeCloseTo(0.5);
  });

  it('gives no figure to a process that ran before the earlier reading but was not in the tree then', () => {
    expect(liveRates(at(100), at(102, proc(10, 1, 50, 3))).get('10:50')).toBeNull();
  });

  it('counts a child reaped in between once: its earlier counter is taken off the ancestor that reaped it', () => {
    // Child 11 (and its own child 12) had used 4 s and 1 s; both ended, and the parent's counter took
    // those plus 1 s more the child used since: 2 s over 2 s, half from the parent itself.
    const prev = at(100, proc(10, 1, 50, 3), proc(11, 10, 60, 4), proc(12, 11, 70, 1));
    const cur = at(102, proc(10, 1, 50, 3 + 1 + 4 + 1 + 1));
    expect(liveRates(prev, cur).get('10:50')).toBeCloseTo(1);
  });

  it('never gives a negative rate (a child reparented away took its counter along)', () => {
    const r = liveRates(at(100, proc(10, 1, 50, 3), proc(11, 10, 60, 4)), at(102, proc(10, 1, 50, 3)));
    expect(r.get('10:50')).toBe(0);
  });

  it('takes as base the newest kept reading 1 to 5 s old, and keeps only readings up to 5 s old', () => {
    const kept = [at(94), at(96.5), at(99), at(99.6)];
    expect(baseFor(kept, 100)?.t).toBe(99);
    expect(baseFor(kept, 99.9)?.t).toBe(96.5);
    expect(baseFor([at(99.5)], 100)).toBeUndefined();
    expect(baseFor([at(94)], 100)).toBeUndefined();
    expect(prune(kept, 100).map((r) => r.t)).toEqual([99.6, 99, 96.5]);
    expect(prune([at(99), at(99.5), at(99.9)], 100, 2).map((r) => r.t)).toEqual([99.9, 99.5]);
  });

  it('keeps readings a quarter second apart, so asks however frequent still find one 1 to 5 s old', () => {
    let kept: CounterReading[] = [];
    for (let t = 100; t <= 110; t += 0.05) {
      if (t > 101.5) expect(baseFor(kept, t)).toBeDefined();
      kept = remember(kept, at(t));
    }
    expect(kept.length).toBeLessThanOrEqual(8);
  });
});
