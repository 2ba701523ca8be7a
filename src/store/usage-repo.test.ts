import { describe, expect, it } from 'vitest';
import { inTimeOrder } from './usage-repo.js';

describe('inTimeOrder', () => {
  it('sorts a series gathered out of order by time, keeping each row its numbers', () => {
    const s = { user: 'a', server: '', kernel: '', t: [30, 10, 20], used: [3, 1, 2], memory: [300, 100, 200] };
    expect(inTimeOrder(s)).toEqual({ ...s, t: [10, 20, 30], used: [1, 2, 3], memory: [100, 200, 300] });
  });
  it('returns a sorted series as it is', () => {
    const s = { user: 'a', server: '', kernel: '', t: [1, 2], used: [0, 1], memory: [5, 6] };
    expect(inTimeOrder(s)).toBe(s);
  });
});
