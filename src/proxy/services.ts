import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Identity, IdentityResolver } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import type { ServiceDirectory } from '../core/services.js';
import { crossOriginRefusal } from './access.js';
import { appUpstreamHeaders } from './app-headers.js';
import { createForwarder, rejectUpgrade, type Upstream } from './forward.js';
import { withoutPerConnection, withoutHubCookies } from './headers.js';
import { answerRequest, answerUpgrade, credentialsOf, identifyRequest, sendRefusal, type SocketTracker } from './answers.js';
import { parseServicePath } from './service-paths.js';

export interface ServiceProxyOptions {
  services: ServiceDirectory;
  identity: IdentityResolver;
  /** Told of each WebSocket opened, so a revocation closes it. */
  sockets?: SocketTracker | undefined;
  log: Logger;
}

export interface ServiceProxy {
  /** Handles `/services/{name}…`; false for any other path (left to the hub's app). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

type Refusal = { status: number; message: string; login?: boolean };
type Target = { upstream: Upstream; name: string; who: Identity };

/**
 * `/services/{name}/…` to the service, HTTP and WebSocket, for anyone logged in (JupyterHub 5 asks for the
 * access:services scope; nbhub has no scopes yet, so any authenticated user or service passes). The path goes on
 * unchanged, as JupyterHub's proxy sends it; the hub's cookies, the Authorization header and `?token=` do not.
 */
export const createServiceProxy = (o: ServiceProxyOptions): ServiceProxy => {
  const forwarder = createForwarder(o.log);

  /** Who may pass, and where to: a refusal names what is wrong. */
  const decide = (req: IncomingMessage, name: string, forward: string, who: Identity | null, websocket: boolean): Target | Refusal => {
    if (!who) return { status: 401, message: 'Authentication required: log in or send an API token', login: true };
    const crossOrigin = crossOriginRefusal(who, req.method ?? 'GET', req.headers, websocket);
    if (crossOrigin) return { status: 403, message: crossOrigin };
    const s = o.services.get(name);
    if (!s) return { status: 404, message: `No such service: ${name}` };
    // A managed service gets its URL when it is first started: until then, and between restarts, it is not running.
    if (s.command.length > 0 && s.pid === null) return { status: 503, message: `Service ${name} is not running (it is being started again)` };
    if (s.url === '') return { status: 404, message: `Service ${name} has no web server (no url)` };
    const u = new URL(s.url);
    if (u.protocol !== 'http:') return { status: 503, message: `Service ${name} is at ${u.protocol}//: the proxy reaches services over http only` };
    const prefix = `/services/${name}/`;
    const upstream: Upstream = {
      host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: Number(u.port || 80),
      // A URL with a path puts it before the request's, as configurable-http-proxy does.
      path: u.pathname.replace(/\/$/, '') + forward,
      headers: appUpstreamHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, prefix }, websocket),
    };
    return { upstream, name, who };
  };

  const resolve = (req: IncomingMessage, websocket: boolean): Target | Refusal | { location: string } | null | Promise<Target | Refusal> => {
    const p = parseServicePath(req.url ?? '/');
    if (p.kind === 'none') return null;
    if (p.kind === 'slash') return { location: p.location };
    const who = identifyRequest(o.identity, req, websocket);
    if (who instanceof Promise) return who.then((w) => decide(req, p.name, p.forward, w, websocket));
    return decide(req, p.name, p.forward, who, websocket);
  };

  // Location headers pass unchanged, as JupyterHub's proxy passes them: a service knows its prefix, and sends
  // browsers elsewhere on the hub (/hub/login, /user/…) on purpose. Only the hub's own cookies are kept from it.
  const hooks = (t: Target, upgrade: boolean) => ({
    name: `Service ${t.name}`,
    unreachableStatus: 503 as const,
    responseHeaders: upgrade ? withoutHubCookies : (raw: string[]) => withoutPerConnection(withoutHubCookies(raw)),
  });

  const handleRequest = (req: IncomingMessage, res: ServerResponse): boolean =>
    answerRequest(req, res, resolve(req, false), {
      act: (x) => ('status' in x ? sendRefusal(req, res, x) : forwarder.http(req, res, x.upstream, hooks(x, false))),
      log: o.log,
      what: 'service proxy',
    });

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean =>
    answerUpgrade(req, socket, resolve(req, true), {
      act: (x) => {
        if ('status' in x) return rejectUpgrade(socket, x.status, x.message);
        o.sockets?.track(socket, x.who, credentialsOf(req));
        forwarder.websocket(req, socket, head, x.upstream, hooks(x, true));
      },
      log: o.log,
      what: 'service proxy',
      place: 'the service',
    });

  return { handleRequest, handleUpgrade, close: () => forwarder.close() };
};
