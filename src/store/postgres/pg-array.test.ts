import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayParam } from './pg-array.js';

// Read back by the machine's PostgreSQL (127.0.0.1:5432, trust auth): the encoding is only right if it agrees.
const PG_URL = process.env['NBHUB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('arrayParam (binary PostgreSQL arrays)', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  afterAll(() => client.end());

  const back = async (type: string, param: Buffer): Promise<unknown[]> =>
    ((await client.query<{ a: unknown[] }>(`select $1::${type}[] as a`, [param])).rows[0]?.a ?? []);

  it('carries text as it is: quotes, backslashes, braces, commas, non-ASCII, empty, NULL', async () => {
    const values = ['a', '', 'say "hi"', 'back\\slash', null, 'NULL', '{x,y}', 'é ünïcödé 😀', '{"user":"ann","cpu":1.5}', 'line\nbreak'];
    expect(await back('text', arrayParam('text', values))).toEqual(values);
  });

  it('carries doubles exactly and bigints across the whole safe range', async () => {
    const doubles = [0, 1.5, -2e-7, 123456.789012345, Number.MAX_VALUE, null];
    expect(await back('float8', arrayParam('float8', doubles))).toEqual(doubles);
    const ints = [0, 1, -1, 1_700_000_000_000, 2 ** 32, 2 ** 32 - 1, -(2 ** 32), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null];
    expect((await back('bigint', arrayParam('bigint', ints))).map((v) => (v === null ? null : Number(v)))).toEqual(ints);
  });

  it('refuses a number a bigint column cannot hold instead of storing another one', () => {
    expect(() => arrayParam('bigint', [1.5])).toThrow(RangeError);
    expect(() => arrayParam('bigint', [2 ** 60])).toThrow(RangeError);
  });

  it('unnests several columns into rows', async () => {
    const r = await client.query(`select * from unnest($1::text[], $2::bigint[], $3::float8[]) as t(a, b, c)`, [
      arrayParam('text', ['x', 'y']),
      arrayParam('bigint', [1, 2]),
      arrayParam('float8', [0.25, 0.5]),
    ]);
    expect(r.rows).toEqual([{ a: 'x', b: '1', c: 0.25 }, { a: 'y', b: '2', c: 0.5 }]);
  });
});
