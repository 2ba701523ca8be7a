import { describe, expect, it } from 'vitest';
import { afterEarlyExit, START_ATTEMPTS } from './retry.js';

describe('afterEarlyExit', () => {
  const lost = 'port 43479 was taken by another process';

  it('fails a runtime that failed on its own, whatever attempt and time are left', () => {
    expect(afterEarlyExit({ lost: null, attempt: 1, remainingMs: 60_000 })).toEqual({ kind: 'fail', note: null });
    expect(afterEarlyExit({ lost: null, attempt: 2, remainingMs: 60_000 })).toEqual({ kind: 'fail', note: null });
  });

  it('starts one that lost a race again, as the next attempt, up to the bound', () => {
    expect(START_ATTEMPTS).toBe(3);
    expect(afterEarlyExit({ lost, attempt: 1, remainingMs: 60_000 })).toEqual({ kind: 'relaunch', attempt: 2 });
    expect(afterEarlyExit({ lost, attempt: 2, remainingMs: 1 })).toEqual({ kind: 'relaunch', attempt: 3 });
    const last = afterEarlyExit({ lost, attempt: 3, remainingMs: 60_000 });
    expect(last).toMatchObject({ kind: 'fail' });
    expect(last.kind === 'fail' && last.note).toBe(`It lost a race on each of 3 attempts to start it (the last: ${lost}).`);
    expect(afterEarlyExit({ lost, attempt: 1, remainingMs: 60_000, attempts: 1 })).toMatchObject({ kind: 'fail' });
  });

  it('fails, saying why, once the start timeout (counted from the first attempt) is spent', () => {
    const v = afterEarlyExit({ lost, attempt: 1, remainingMs: 0 });
    expect(v).toMatchObject({ kind: 'fail' });
    expect(v.kind === 'fail' && v.note).toContain('no start time remained');
    expect(v.kind === 'fail' && v.note).toContain(lost);
  });
});
