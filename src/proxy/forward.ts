import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/logger.js';
import { hubAnswer } from '../core/security-headers.js';
import { loggableUrl } from './paths.js';

/** Where one request goes: an origin's host and port, the path (and query) asked there, the headers sent. */
export interface Upstream {
  host: string;
  port: number;
  path: string;
  headers: OutgoingHttpHeaders;
}

export interface ForwardHooks {
  /** Who did not answer, in the 502's message: "The runtime", "The app". */
  name: string;
  /** Status when the upstream cannot be reached: 502 unless told (a service that is down is 503, as JupyterHub's proxy answers). */
  unreachableStatus?: 502 | 503;
  /** Response headers (raw name/value pairs) as passed on to the client. */
  responseHeaders(raw: string[]): string[];
}

export interface HttpHooks extends ForwardHooks {
  /** Called with the upstream's status before its answer is passed on. */
  onResponse?(status: number): void;
}

/** Both ends of an opened WebSocket, once the 101 has been passed on; the splice is already in place. */
export interface OpenedSocket {
  upRes: IncomingMessage;
  client: Duplex;
  upstream: Duplex;
  clientHead: Buffer;
  upstreamHead: Buffer;
}

/** For a WebSocket, responseHeaders sees the 101's headers too: it must keep Connection and Upgrade there. */
export interface WebSocketHooks extends ForwardHooks {
  onOpen?(s: OpenedSocket): void;
}

/** HTTP and WebSocket forwarding to an upstream, shared by the runtime path and the app paths. */
export interface Forwarder {
  http(req: IncomingMessage, res: ServerResponse, up: Upstream, hooks: HttpHooks): void;
  websocket(req: IncomingMessage, socket: Duplex, head: Buffer, up: Upstream, hooks: WebSocketHooks): void;
  close(): void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** Answers an upgrade request with a JSON error and closes the socket. */
export const rejectUpgrade = (socket: Duplex, status: number, message: string): void => {
  const body = JSON.stringify({ status, message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
};

const PER_CONNECTION = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

const head = (status: string, raw: string[]): string => {
  const lines = [status];
  for (let i = 0; i < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return lines.join('\r\n') + '\r\n\r\n';
};

/**
 * A body the client framed with Transfer-Encoding goes on chunked: Node frames GET, HEAD, DELETE and OPTIONS
 * bodies only when told to, and bytes sent unframed would be read upstream as the next request.
 */
const framed = (req: IncomingMessage, headers: OutgoingHttpHeaders): OutgoingHttpHeaders =>
  req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined ? { ...headers, 'transfer-encoding': 'chunked' } : headers;

/** Over kept-alive upstream connections (HTTP); a WebSocket gets a connection of its own and is spliced. */
export const createForwarder = (log: Logger): Forwarder => {
  const agent = new Agent({ keepAlive: true, noDelay: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });

  const http = (req: IncomingMessage, res: ServerResponse, up: Upstream, hooks: HttpHooks) => {
    const upReq = request({ host: up.host, port: up.port, method: req.method, path: up.path, headers: framed(req, up.headers), agent }, (upRes) => {
      hooks.onResponse?.(upRes.statusCode ?? 502);
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, hooks.responseHeaders(upRes.rawHeaders));
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upReq.on('error', (err) => {
      log.debug({ err, url: loggableUrl(req.url ?? '') }, 'proxy: upstream error');
      if (!res.headersSent) {
        const status = hooks.unreachableStatus ?? 502;
        const body = JSON.stringify({ status, message: `${hooks.name} did not answer: ${err.message}` });
        res.writeHead(status, hubAnswer({ 'content-type': 'application/json' })).end(body);
      } else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
    });
    req.pipe(upReq);
  };

  const websocket = (req: IncomingMessage, socket: Duplex, clientHead: Buffer, up: Upstream, hooks: WebSocketHooks) => {
    const upReq = request({ host: up.host, port: up.port, method: req.method, path: up.path, headers: up.headers, agent: false });
    // The client may leave before the upstream answers: drop the upstream attempt with it.
    socket.once('close', () => upReq.destroy());
    upReq.on('upgrade', (upRes, upSocket, upstreamHead) => {
      if (socket.destroyed) {
        upSocket.destroy();
        return;
      }
      (socket as unknown as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      upSocket.setNoDelay(true);
      socket.write(head(`HTTP/1.1 101 ${upRes.statusMessage ?? 'Switching Protocols'}`, hooks.responseHeaders(upRes.rawHeaders)));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (clientHead.length > 0) upSocket.write(clientHead);
      upSocket.on('error', () => socket.destroy());
      socket.on('close', () => upSocket.destroy());
      upSocket.on('close', () => socket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
      hooks.onOpen?.({ upRes, client: socket, upstream: upSocket, clientHead, upstreamHead });
    });
    upReq.on('response', (upRes) => {
      // The upstream refused the upgrade: pass its answer on (decoded by Node, so framed by the close) and close.
      const raw = hooks.responseHeaders(upRes.rawHeaders).filter((_, i, all) => !PER_CONNECTION.has(String(all[i - (i % 2)]).toLowerCase()));
      socket.write(head(`HTTP/1.1 ${upRes.statusCode ?? 502} ${upRes.statusMessage ?? ''}`, [...raw, 'Connection', 'close']));
      upRes.pipe(socket);
    });
    upReq.on('error', (err) => rejectUpgrade(socket, hooks.unreachableStatus ?? 502, `${hooks.name} did not answer: ${err.message}`));
    upReq.end();
  };

  return { http, websocket, close: () => agent.destroy() };
};

/** `http://host:port` → host and port, remembered (the proxy asks for the same few origins all the time). */
export const originParser = () => {
  const targets = new Map<string, { host: string; port: number }>();
  return (origin: string) => {
    let t = targets.get(origin);
    if (!t) {
      const u = new URL(origin);
      t = { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
      if (targets.size > 10_000) targets.clear();
      targets.set(origin, t);
    }
    return t;
  };
};
