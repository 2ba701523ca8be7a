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

type ServerChange = { user: string; name: string; version: number | null };

/**
 * LISTEN on the channel migration 011's trigger announces new server versions on, on a connection of its
 * own (a pooled one would be handed to other queries). A lost connection is opened again after a second;
 * what was announced meanwhile is missed, which the lifecycle's reload each poll makes up for.
 */
const watchServers =
  (url: string) =>
  async (listener: (change: ServerChange) => void): Promise<() => Promise<void>> => {
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;
    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: url });
      c.on('notification', (m) => {
        if (m.channel !== 'nbhub_servers' || !m.payload) return;
        try {
          const p = JSON.parse(m.payload) as { u: string; n: string; v: number | null };
          listener({ user: p.u, name: p.n, version: p.v });
        } catch {
          // not ours
        }
      });
      c.on('error', () => again());
      c.on('end', () => again());
      try {
        await c.connect();
        await c.query('LISTEN nbhub_servers');
      } catch (err) {
        await c.end().catch(() => undefined);
        throw err;
      }
      if (stopped) await c.end().catch(() => undefined);
      else client = c;
    };
    const again = () => {
      if (stopped || retry) return;
      const old = client;
      client = undefined;
      void old?.end().catch(() => undefined);
      retry = setTimeout(() => {
        retry = undefined;
        connect().catch(() => again());
      }, 1000).unref();
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
  };

export const createPostgresStore = (url: string, poolSize = 10): Store => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client that lost its connection is replaced on next use; the error must not crash the hub.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const store = createKyselyStore({
    dialect: 'postgres',
    db,
    isUniqueViolation: (err) => (err as { code?: unknown } | null)?.code === '23505',
  });
  return { ...store, servers: { ...store.servers, watch: watchServers(url) } };
};
