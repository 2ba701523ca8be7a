import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../../core/store.js';
import { createKyselyStore } from '../kysely-store.js';
import type { Database as Schema } from '../schema.js';

// int8 columns hold epoch milliseconds, well inside Number's exact range; pg returns them as strings.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export const createPostgresStore = (url: string, poolSize = 10): Store => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client that lost its connection is replaced on next use; the error must not crash the hub.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return createKyselyStore({
    dialect: 'postgres',
    db,
    isUniqueViolation: (err) => (err as { code?: unknown } | null)?.code === '23505',
  });
};
