import { describe, expect, it } from 'vitest';
import { runtimeLive, sumOrNull, userSums } from './live.js';

describe('live figures', () => {
  it('sums the figures there are, and is null (no figure yet), not 0, when there are none', () => {
    expect(sumOrNull([])).toBeNull();
    expect(sumOrNull([null, undefined])).toBeNull();
    expect(sumOrNull([null, 0.5, 0.25])).toBe(0.75);
    expect(sumOrNull([0])).toBe(0);
  });

  it('gives a kernel the sums of its processes and the runtime the sums of all', () => {
    const live = runtimeLive([
      { kernelId: null, cpu: 0.01, memory: 100 },
      { kernelId: 'k1', cpu: 0.9, memory: 1000 },
      { kernelId: 'k1', cpu: 0.1, memory: 200 },
      { kernelId: 'k2', cpu: null, memory: 50 },
    ]);
    expect(live.cpu).toBeCloseTo(1.01);
    expect(live.memory).toBe(1350);
    expect(live.kernels.get('k1')).toEqual({ cpu: 1, memory: 1200 });
    expect(live.kernels.get('k2')).toEqual({ cpu: null, memory: 50 });
    expect(live.kernels.size).toBe(2);
    expect(runtimeLive([])).toMatchObject({ cpu: null, memory: null });
  });

  it('sums each user’s servers, null where none of them has a figure', () => {
    expect(
      userSums([
        { user: 'ann', cpu: 1, memory: 10 },
        { user: 'ann', cpu: null, memory: 5 },
        { user: 'bob', cpu: null, memory: null },
      ]),
    ).toEqual([
      { user: 'ann', cpu: 1, memory: 15 },
      { user: 'bob', cpu: null, memory: null },
    ]);
  });
});
