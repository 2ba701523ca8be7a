import { describe, expect, it } from 'vitest';
import { backoffMs, StoreTrouble } from './store-trouble.js';

describe('a failing store', () => {
  it('is tried again after a wait that doubles, up to a cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffMs(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('is told once, then at most once a minute with how many writes failed, then once when all writes work again', () => {
    const t = new StoreTrouble(60_000);
    expect(t.failed('a', 0)).toEqual({ say: 'failing' });
    expect(t.failed('b', 1000)).toBeNull();
    expect(t.ok('a', 2000)).toBeNull(); // b still fails
    expect(t.failed('b', 59_000)).toBeNull();
    expect(t.failed('b', 60_000)).toEqual({ say: 'still', failures: 4, forMs: 60_000 });
    expect(t.ok('b', 70_000)).toEqual({ say: 'recovered', failures: 4, forMs: 70_000 });
    expect(t.ok('b', 71_000)).toBeNull();
  });

  it('that fails now and then is told no more often than one that stays down', () => {
    const t = new StoreTrouble(60_000);
    const said: string[] = [];
    for (let s = 0; s < 600; s += 5) {
      const n = s % 10 === 0 ? t.failed('a', s * 1000) : t.ok('a', s * 1000);
      if (n) said.push(n.say);
    }
    expect(said.length).toBeLessThanOrEqual(20);
  });

  it('is not kept failing by what is no longer written', () => {
    const t = new StoreTrouble();
    t.failed('gone', 0);
    t.failed('a', 0);
    t.drop('gone');
    expect(t.ok('a', 5000)).toMatchObject({ say: 'recovered' });
  });
});
