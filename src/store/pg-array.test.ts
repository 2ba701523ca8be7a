import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './pg-array.js';

// pg's own conversion, which arrayLiteral replaces: the literal must be the one pg would have sent.
const viaPg = (values: unknown[]): unknown => (pg as unknown as { utils: { prepareValue: (v: unknown) => unknown } }).utils.prepareValue(values);

describe('arrayLiteral', () => {
  it('quotes text, escapes quotes and backslashes, keeps NULL unquoted', () => {
    expect(arrayLiteral('text', ['a', '', 'say "hi"', 'back\\slash', null, 'NULL', '{x,y}'])).toBe('{"a","","say \\"hi\\"","back\\\\slash",NULL,"NULL","{x,y}"}');
  });
  it('prints numbers as JavaScript does', () => {
    expect(arrayLiteral('float8', [0, 1.5, -2e-7, null, Number.NaN])).toBe('{0,1.5,-2e-7,NULL,NaN}');
    expect(arrayLiteral('bigint', [1_700_000_000_000, 0])).toBe('{1700000000000,0}');
  });
  it('is what pg would send for the same values', () => {
    const text = ['u1', '', 'é "q" \\ ,{}', null];
    expect(arrayLiteral('text', text)).toBe(viaPg(text));
    const numbers = [1.25, 0, -3, 1_700_000_000_123, null];
    // pg quotes every element; unquoted numbers read the same
    expect(arrayLiteral('float8', numbers)).toBe(String(viaPg(numbers)).replaceAll('"', ''));
  });
});
