import { connect, createServer } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';

const recent = new Map<number, number>();

/**
 * A free port on 127.0.0.1, asked of the kernel. Ports handed out in the last minute are skipped, so
 * concurrent starts never get the same one before their runtimes bind it (and a runtime started again after
 * its port was taken does not get that port back).
 */
export const freePort = async (host = '127.0.0.1', clock: Clock = systemClock): Promise<number> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, host, () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    const now = clock.now();
    for (const [p, t] of recent) if (now - t > 60_000) recent.delete(p);
    if (!recent.has(port)) {
      recent.set(port, now);
      return port;
    }
  }
  throw new Error('no free port found');
};

/**
 * Whether `port` on `host` is bound by some socket now, found by trying to bind it (as a runtime would, with
 * SO_REUSEADDR): EADDRINUSE says yes. A listener, a socket bound without listening, and a connection using the
 * port as its local end all count.
 */
export const portBound = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(false)));
  });

/** Whether something accepts TCP connections at host:port (connects and closes at once, sending nothing). */
export const accepting = (port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (yes: boolean) => {
      socket.destroy();
      resolve(yes);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    // A listener too busy to complete the handshake in time is still a listener.
    socket.setTimeout(timeoutMs, () => done(true));
  });
