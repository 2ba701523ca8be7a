import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createForwarder, type Forwarder } from './forward.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent } as never;
const cleanup: Array<() => void> = [];
afterEach(() => {
  while (cleanup.length > 0) cleanup.pop()?.();
});

const listen = async (s: Server): Promise<number> => {
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  cleanup.push(() => s.close());
  return (s.address() as AddressInfo).port;
};

/** A hub in miniature: every request and upgrade forwarded to 127.0.0.1:`port` by one forwarder (per-connection headers dropped, as headers.ts does). */
const front = async (port: number, f: Forwarder, opened: string[] = []): Promise<number> => {
  const s = createServer((req, res) => {
    const { 'transfer-encoding': _te, connection: _c, ...headers } = req.headers;
    f.http(req, res, { host: '127.0.0.1', port, path: req.url ?? '/', headers }, { name: 'The app', responseHeaders: (raw) => raw });
  });
  s.on('upgrade', (req: IncomingMessage, socket, head) =>
    f.websocket(req, socket, head, { host: '127.0.0.1', port, path: req.url ?? '/', headers: { ...req.headers } }, { name: 'The app', responseHeaders: (raw) => raw, onOpen: () => opened.push(req.url ?? '') }),
  );
  cleanup.push(() => f.close());
  return listen(s);
};

/** Sends raw bytes and reads until the other side closes or `until` matches. */
const raw = (port: number, bytes: string, until?: RegExp): Promise<string> =>
  new Promise((ok, fail) => {
    let got = '';
    const c = connect(port, '127.0.0.1', () => c.write(bytes));
    c.on('data', (d) => {
      got += d.toString();
      if (until?.test(got)) {
        c.destroy();
        ok(got);
      }
    });
    c.on('error', fail);
    c.on('close', () => ok(got));
  });

describe('forwarder', () => {
  it('forwards a chunked body on a GET framed, so its bytes are never read as another request', async () => {
    const seen: string[] = [];
    const app = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} body=${JSON.stringify(body)}`);
        res.end('ok');
      });
    });
    const hub = await front(await listen(app), createForwarder(silent));
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const chunk = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const answer = await raw(hub, `GET /first HTTP/1.1\r\nHost: hub\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}`, /ok$/);
    expect(answer).toContain('ok');
    // The next request on the kept-alive upstream connection is a fresh one, not the body of the first.
    await fetch(`http://127.0.0.1:${hub}/second`).then((r) => r.text());
    expect(seen).toEqual([`GET /first body=${JSON.stringify(smuggled)}`, 'GET /second body=""']);
  });

  it('splices a WebSocket both ways and says when it is open', async () => {
    const app = createServer();
    app.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.on('data', (d) => socket.write(`echo:${d.toString()}`));
    });
    const opened: string[] = [];
    const hub = await front(await listen(app), createForwarder(silent), opened);
    const got = await raw(hub, 'GET /ws HTTP/1.1\r\nHost: hub\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nhello', /echo:hello/);
    expect(got).toMatch(/^HTTP\/1.1 101 /);
    expect(got).toContain('echo:hello');
    expect(opened).toEqual(['/ws']);
  });

  it("passes on an upstream's refusal of an upgrade and closes", async () => {
    const app = createServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('no sockets here'));
    const hub = await front(await listen(app), createForwarder(silent));
    const got = await raw(hub, 'GET /ws HTTP/1.1\r\nHost: hub\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(got).toMatch(/^HTTP\/1.1 403 /);
    expect(got).toContain('Connection: close');
    expect(got).toContain('no sockets here');
  });

  it('answers 502 naming who did not answer', async () => {
    const gone = await listen(createServer());
    cleanup.pop()?.();
    const hub = await front(gone, createForwarder(silent));
    const r = await fetch(`http://127.0.0.1:${hub}/x`);
    expect(r.status).toBe(502);
    expect(((await r.json()) as { message: string }).message).toMatch(/^The app did not answer/);
  });
});
