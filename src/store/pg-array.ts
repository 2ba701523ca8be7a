import type { ColumnType } from './bulk.js';

/** Elements of a text array that need a backslash before them inside double quotes. */
const SPECIAL = /["\\]/;
const ESCAPE = /["\\]/g;

/**
 * A column of values as a PostgreSQL array literal. pg would do the same per element through its generic
 * prepareValue + two regex replaces; with tens of thousands of elements per batch that was the hub's
 * largest cost of storing events. Numbers go as JavaScript prints them (as pg sends a number parameter).
 */
export const arrayLiteral = (type: ColumnType, values: readonly unknown[]): string => {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) parts[i] = 'NULL';
    else if (type !== 'text') parts[i] = (v as number).toString();
    else {
      const s = v as string;
      parts[i] = SPECIAL.test(s) ? `"${s.replace(ESCAPE, '\\$&')}"` : `"${s}"`;
    }
  }
  return `{${parts.join(',')}}`;
};
