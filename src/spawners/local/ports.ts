import { createServer } from 'node:net';

const recent = new Map<number, number>();

/**
 * A free port on 127.0.0.1, asked of the kernel. Ports handed out in the last minute are skipped, so
 * concurrent starts never get the same one before their runtimes bind it.
 */
export const freePort = async (host = '127.0.0.1'): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, host, () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    const now = Date.now();
    for (const [p, t] of recent) if (now - t > 60_000) recent.delete(p);
    if (!recent.has(port)) {
      recent.set(port, now);
      return port;
    }
  }
  throw new Error('no free port found');
};
