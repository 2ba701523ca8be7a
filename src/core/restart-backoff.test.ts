import { describe, expect, it } from 'vitest';
import { restartDelay, type BackoffPolicy } from './restart-backoff.js';

const policy: BackoffPolicy = { initialMs: 500, maxMs: 8_000, healthyAfterMs: 60_000 };

describe('restartDelay', () => {
  it('restarts a first death quickly', () => {
    expect(restartDelay(0, 10, policy)).toEqual({ delayMs: 500, failures: 1 });
  });

  it('doubles the delay with each quick death in a row, up to the maximum', () => {
    let failures = 0;
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const d = restartDelay(failures, 100, policy);
      delays.push(d.delayMs);
      failures = d.failures;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('starts over after a healthy run', () => {
    expect(restartDelay(6, 60_000, policy)).toEqual({ delayMs: 500, failures: 1 });
    expect(restartDelay(6, 59_999, policy).delayMs).toBe(8000);
  });

  it('stays finite after very many deaths', () => {
    expect(restartDelay(10_000, 0, { ...policy, maxMs: Number.MAX_SAFE_INTEGER }).delayMs).toBeLessThan(Infinity);
  });
});
