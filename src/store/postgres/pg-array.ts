import type { ColumnType } from '../bulk.js';

const ELEMENT_OID: Record<ColumnType, number> = { text: 25, bigint: 20, float8: 701 };
const HEADER = 20;
const TWO_32 = 2 ** 32;

/**
 * A column of values as a PostgreSQL array in binary form (pg sends a Buffer parameter as binary). pg's
 * own conversion builds a text literal element by element (prepareValue, two regex replaces, quoting): with
 * tens of thousands of elements per batch, and JSON event data full of quotes to escape, that was the hub's
 * largest cost of storing events. Binary needs no escaping, and numbers are copied, not printed.
 */
export const arrayParam = (type: ColumnType, values: ArrayLike<unknown>, n = values.length): Buffer => {
  // Text: at most 3 bytes per UTF-16 unit; the buffer is cut to what was written.
  let size = HEADER + 4 * n;
  if (type === 'text') for (let i = 0; i < n; i++) size += values[i] == null ? 0 : (values[i] as string).length * 3;
  else size += 8 * n;
  const b = Buffer.allocUnsafe(size);
  b.writeInt32BE(1, 0); // dimensions
  b.writeInt32BE(0, 4); // flags (PostgreSQL finds the NULLs itself)
  b.writeInt32BE(ELEMENT_OID[type], 8);
  b.writeInt32BE(n, 12);
  b.writeInt32BE(1, 16); // lower bound
  let p = HEADER;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) {
      b.writeInt32BE(-1, p);
      p += 4;
    } else if (type === 'text') {
      const len = b.write(v as string, p + 4, 'utf8');
      b.writeInt32BE(len, p);
      p += 4 + len;
    } else {
      b.writeInt32BE(8, p);
      if (type === 'float8') b.writeDoubleBE(v as number, p + 4);
      else writeInt64(b, v as number, p + 4);
      p += 12;
    }
  }
  return b.subarray(0, p);
};

/** A whole number within ±2^53 as a big-endian int64 (two's complement), without going through BigInt. */
const writeInt64 = (b: Buffer, v: number, at: number): void => {
  if (!Number.isSafeInteger(v)) throw new RangeError(`not a whole number for a bigint column: ${v}`);
  const hi = Math.floor(v / TWO_32);
  b.writeInt32BE(hi, at);
  b.writeUInt32BE(v - hi * TWO_32, at + 4);
};
