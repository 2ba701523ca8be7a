import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Credentials, Identity, IdentityResolver } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import { hubAnswer } from '../core/security-headers.js';
import { hubLocation } from '../core/urls.js';
import { rejectUpgrade } from './forward.js';
import { loggableUrl, tokenParam, withoutToken } from './paths.js';

/** Where the proxies hand each upgraded client socket, with who opened it (OpenSockets: closed on revocation). */
export interface SocketTracker {
  track(socket: Duplex, who: Identity, credentials: Credentials): void;
}

/** What a request carries to prove who it is, for the identity resolver (services never see requests). */
export const credentialsOf = (req: IncomingMessage): Credentials => ({
  authorization: req.headers.authorization,
  cookie: req.headers.cookie,
  queryToken: tokenParam(req.url ?? ''),
});

/** A browser asking for a page (not a script or an API client): it gets pages, not JSON. */
export const wantsHtml = (req: IncomingMessage): boolean => req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');

/** A request the proxies will not pass: a browser that must log in goes to the login page, anyone else gets JSON. */
export const sendRefusal = (req: IncomingMessage, res: ServerResponse, r: { status: number; message: string; login?: boolean | undefined }): void => {
  if (r.login && wantsHtml(req)) {
    // The path back without its `?token=` (a refused token has no business in the login page's address).
    res.writeHead(302, hubAnswer({ location: `/hub/login?next=${encodeURIComponent(withoutToken(req.url ?? '/'))}` })).end();
    return;
  }
  const body = JSON.stringify({ status: r.status, message: r.message });
  res.writeHead(r.status, hubAnswer({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })).end(body);
};

/** A fault of the hub's own while deciding (logged by the caller): a 500 without internals, if nothing was sent yet. */
export const sendInternalError = (res: ServerResponse): void => {
  if (!res.headersSent) res.writeHead(500, hubAnswer({ 'content-type': 'application/json' })).end('{"status":500,"message":"Internal error"}');
};

/**
 * Who a request is: the resolver's cached answer when it has one (no I/O), else its lookup. A WebSocket upgrade
 * always asks the store (`fresh`): the socket outlives the request, and a credential revoked by another instance
 * must not open one from this instance's cache.
 */
export const identifyRequest = (identity: IdentityResolver, req: IncomingMessage, websocket = false): Identity | null | Promise<Identity | null> => {
  const creds = credentialsOf(req);
  if (websocket) return identity.identify(creds, { fresh: true });
  const cached = identity.peek(creds);
  return cached !== undefined ? cached : identity.identify(creds);
};

/**
 * A prefix proxy's decision (services, clusters): not its path (null), the slash form of its prefix to redirect
 * to, or what to do (a target or a refusal), at hand or once the caller's identity is known.
 */
export type Decision<T> = T | { location: string } | null | Promise<T>;

const isRedirect = <T>(d: Decision<T>): d is { location: string } => typeof d === 'object' && d !== null && !(d instanceof Promise) && 'location' in d;

interface DecisionHooks<T> {
  act: (x: T) => void;
  log: Logger;
  /** Names the proxy in the log line of a fault. */
  what: string;
}

/** Acts on a decision for an HTTP request; false when the path is not the proxy's. A fault while deciding is a 500. */
export const answerRequest = <T>(req: IncomingMessage, res: ServerResponse, d: Decision<T>, h: DecisionHooks<T> & { redirected?: () => void }): boolean => {
  if (d === null) return false;
  if (isRedirect(d)) {
    h.redirected?.();
    res.writeHead(302, hubAnswer({ location: hubLocation(d.location) })).end();
  } else if (d instanceof Promise) {
    d.then(h.act, (err: unknown) => {
      h.log.error({ err, url: loggableUrl(req.url ?? '') }, `${h.what}: cannot resolve request`);
      sendInternalError(res);
    });
  } else h.act(d);
  return true;
};

/** The same for a WebSocket upgrade: the prefix without its slash is no WebSocket endpoint (404 naming it). */
export const answerUpgrade = <T>(req: IncomingMessage, socket: Duplex, d: Decision<T>, h: DecisionHooks<T> & { place: string }): boolean => {
  if (d === null) return false;
  socket.on('error', () => socket.destroy());
  if (isRedirect(d)) {
    rejectUpgrade(socket, 404, `Not found: ${h.place} is at ${d.location}`);
    return true;
  }
  Promise.resolve(d).then(h.act, (err: unknown) => {
    h.log.error({ err, url: loggableUrl(req.url ?? '') }, `${h.what}: cannot resolve upgrade`);
    rejectUpgrade(socket, 500, 'Internal error');
  });
  return true;
};
