import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credentials } from '../core/identity.js';
import { tokenParam } from './paths.js';

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
    res.writeHead(302, { location: `/hub/login?next=${encodeURIComponent(req.url ?? '/')}` }).end();
    return;
  }
  const body = JSON.stringify({ status: r.status, message: r.message });
  res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
};

/** A fault of the hub's own while deciding (logged by the caller): a 500 without internals, if nothing was sent yet. */
export const sendInternalError = (res: ServerResponse): void => {
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":500,"message":"Internal error"}');
};
