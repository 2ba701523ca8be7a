import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { createKyselyStore } from '../kysely-store.js';
import type { Database as Schema } from '../schema.js';
import type { TestStore } from '../testing.js';
import { postgresDialect } from './postgres-dialect.js';

// int8 columns hold epoch milliseconds, well inside Number's exact range; pg returns them as strings.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** PostgreSQL, shared by every hub instance that names it. */
export const createPostgresStore = (url: string, poolSize = 10): TestStore => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client that lost its connection is replaced on next use; the error must not crash the hub.
  pool.on('error', () => undefined);
  return createKyselyStore(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), postgresDialect(url));
};
