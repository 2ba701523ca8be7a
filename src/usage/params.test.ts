import { describe, expect, it } from 'vitest';
import { parseUsageParams } from './params.js';

const o = { now: 1_800_000_000_000, intervalSeconds: 10, retentionDays: { raw: 2, '1m': 30, '1h': 400, '1d': 1100 } };

describe('parseUsageParams', () => {
  it('defaults to the last hour by server, in about 30 steps that each cover whole stored buckets', () => {
    const p = parseUsageParams({}, o);
    expect(p).toMatchObject({ groupBy: 'server', to: o.now, from: o.now - 3_600_000, step: 120_000, resolution: '1m', sampleIntervalMs: 10_000 });
    const day = (n: number) => String(o.now / 1000 - n * 86_400);
    expect(parseUsageParams({ from: day(1) }, o)).toMatchObject({ step: 3_600_000, resolution: '1h' });
    expect(parseUsageParams({ from: day(30) }, o)).toMatchObject({ step: 86_400_000, resolution: '1d' });
    expect(parseUsageParams({ from: String(o.now / 1000 - 60) }, o)).toMatchObject({ step: 10_000, resolution: 'raw' });
  });
  it('keeps whole milliseconds', () => {
    expect(parseUsageParams({ from: '1700000000.0005', to: '1700000001' }, o).from).toBe(1_700_000_000_001);
  });
  it('names the default server with an empty server=', () => {
    expect(parseUsageParams({ server: '' }, o).server).toBe('');
    expect(parseUsageParams({}, o).server).toBeUndefined();
  });
  it('takes ISO 8601 and Unix seconds', () => {
    const p = parseUsageParams({ from: '2027-01-15T07:00:00Z', to: '1800000000', step: '60' }, o);
    expect(p.from).toBe(Date.parse('2027-01-15T07:00:00Z'));
    expect(p.to).toBe(1_800_000_000_000);
    expect(p.resolution).toBe('1m');
  });
  it('picks the coarsest resolution that answers the step and still holds the data', () => {
    expect(parseUsageParams({ from: String(o.now / 1000 - 86_400), step: '3600' }, o).resolution).toBe('1h');
    expect(parseUsageParams({ from: String(o.now / 1000 - 3 * 86_400), step: '30' }, o).resolution).toBe('1m');
    expect(parseUsageParams({ from: String(o.now / 1000 - 40 * 86_400), step: '600' }, o).resolution).toBe('1h');
    expect(parseUsageParams({ from: String(o.now / 1000 - 90 * 86_400), step: '86400' }, o).resolution).toBe('1d');
    expect(parseUsageParams({ from: String(o.now / 1000 - 410 * 86_400), step: '3600' }, o).resolution).toBe('1d');
  });
  it.each([
    [{ from: 'yesterday' }, /^from: "yesterday" is not a time/],
    [{ to: '2027-13-45T00:00:00Z' }, /^to: /],
    [{ group_by: 'planet' }, /^group_by: must be one of/],
    [{ step: '-5' }, /^step: /],
    [{ step: '1', from: '0' }, /^step: too small/],
    [{ from: '1800000000', to: '1700000000' }, /^from: must be before to/],
    [{ colour: 'red' }, /^colour: unknown parameter/],
    [{ to: '10000000000000000' }, /^to: .* out of range/],
    [{ user: ['a', 'b'] }, /^user: give it once/],
  ])('refuses %j naming the parameter', (q, msg) => {
    expect(() => parseUsageParams(q as Record<string, unknown>, o)).toThrow(msg);
  });
});
