import { afterEach, describe, expect, it } from 'vitest';
import { parseUtc } from './activity.js';

describe('parseUtc: activity timestamps as JupyterHub reads them', () => {
  const tz = process.env['TZ'];
  afterEach(() => {
    if (tz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = tz;
  });

  it('reads a time without an offset as UTC, whatever the machine time zone', () => {
    // Five hours behind UTC (a POSIX TZ string: no tz database needed).
    process.env['TZ'] = 'ABC+5';
    const t = Date.UTC(2030, 0, 2, 3, 4, 5);
    expect(parseUtc('2030-01-02T03:04:05')).toBe(t);
    expect(parseUtc('2030-01-02T03:04:05.250')).toBe(t + 250);
    expect(parseUtc('2030-01-02 03:04:05')).toBe(t);
    expect(parseUtc('2030-01-02T03:04')).toBe(t - 5000);
  });

  it('keeps an explicit offset, and refuses what is not a time', () => {
    process.env['TZ'] = 'ABC+5';
    const t = Date.UTC(2030, 0, 2, 3, 4, 5);
    expect(parseUtc('2030-01-02T03:04:05Z')).toBe(t);
    expect(parseUtc('2030-01-02T05:04:05+02:00')).toBe(t);
    expect(parseUtc('2030-01-02')).toBe(Date.UTC(2030, 0, 2));
    expect(parseUtc('yesterday')).toBeNaN();
  });
});
