import pg from 'pg';

type ServerChange = { user: string; name: string; version: number | null };

/**
 * LISTEN on the channel migration 011's trigger announces new server versions on, on a connection of its
 * own (a pooled one would be handed to other queries). A lost connection is opened again after a second;
 * what was announced meanwhile is missed, which the lifecycle's reload each poll makes up for.
 */
export const watchServers =
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
