import { describe, expect, it } from 'vitest';
import { afterAppExit, MAX_QUICK_DEATHS, STABLE_MS } from './restart.js';

describe('afterAppExit', () => {
  it('starts an app that had been running a while again at once, whatever happened before', () => {
    expect(afterAppExit({ ranMs: STABLE_MS, quickDeaths: 0 })).toEqual({ kind: 'restart', delayMs: 500, quickDeaths: 1 });
    expect(afterAppExit({ ranMs: 3_600_000, quickDeaths: MAX_QUICK_DEATHS })).toEqual({ kind: 'restart', delayMs: 500, quickDeaths: 1 });
  });

  it('waits twice as long after each quick death in a row, with a ceiling', () => {
    const delays: number[] = [];
    let quickDeaths = 0;
    for (let i = 0; i < MAX_QUICK_DEATHS; i++) {
      const v = afterAppExit({ ranMs: 1_000, quickDeaths });
      if (v.kind !== 'restart') throw new Error('gave up too early');
      delays.push(v.delayMs);
      quickDeaths = v.quickDeaths;
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    expect(afterAppExit({ ranMs: 0, quickDeaths: 20 }).kind).toBe('give-up');
  });

  it('gives up on an app that keeps dying soon after it starts', () => {
    expect(afterAppExit({ ranMs: STABLE_MS - 1, quickDeaths: MAX_QUICK_DEATHS })).toEqual({ kind: 'give-up', quickDeaths: MAX_QUICK_DEATHS + 1 });
  });
});
