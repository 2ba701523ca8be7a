import { describe, expect, it } from 'vitest';
import { lastRowResolutions } from './series-prune.js';

const DAY = 86_400_000;
const now = 1_800_000_000_000;
const cut = (days: Record<'raw' | '1m' | '1h' | '1d', number>) => ({ raw: now - days.raw * DAY, '1m': now - days['1m'] * DAY, '1h': now - days['1h'] * DAY, '1d': now - days['1d'] * DAY });

describe('which pruned rows can be a series’ last', () => {
  it('is only the daily rows with the default retentions (each kept a bucket longer than the finer ones)', () => {
    expect(lastRowResolutions(cut({ raw: 2, '1m': 30, '1h': 400, '1d': 1100 }))).toEqual(['1d']);
  });

  it('is every resolution a coarser one does not outlive by a bucket', () => {
    // All kept as long: a rollup's row is stamped at its bucket's start, so the raw rows go last.
    expect(lastRowResolutions(cut({ raw: 2, '1m': 2, '1h': 2, '1d': 2 }))).toEqual(['raw']);
    // Daily rows kept half a day longer: a sample late in a day leaves finer rows after its daily one.
    expect(lastRowResolutions(cut({ raw: 2, '1m': 30, '1h': 30, '1d': 30.5 }))).toEqual(['1m', '1h', '1d']);
    // Hourly rows outlive the others by more than an hour: they alone.
    expect(lastRowResolutions(cut({ raw: 2, '1m': 2, '1h': 90, '1d': 2 }))).toEqual(['1h']);
  });
});
