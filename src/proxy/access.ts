import type { IncomingHttpHeaders } from 'node:http';
import { canAccess, type Identity } from '../core/identity.js';

export type AccessVerdict =
  | { ok: true }
  | { ok: false; status: 401 | 403; message: string; login: boolean };

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Origin (or Referer) of a request, as `scheme://host[:port]`, if it sent one. `Origin: null` is a browser
 * saying the page is not one it will name (a no-referrer form on another site, a sandboxed frame): never
 * the hub's own, so it stays `null` and fails the host comparison below.
 */
const originOf = (h: IncomingHttpHeaders): string | undefined => {
  if (typeof h.origin === 'string') return h.origin;
  if (typeof h.referer === 'string') {
    try {
      return new URL(h.referer).origin;
    } catch {
      return undefined;
    }
  }
  return undefined;
};

/**
 * Who may pass: who holds `access:servers` on the runtime (the owner through `self`, an admin through `admin`). A cookie-authenticated write or WebSocket must come from the
 * hub's own origin: the runtime behind trusts the hub's token and will not check XSRF itself.
 */
export const decideAccess = (
  who: Identity | null,
  owner: string,
  method: string,
  headers: IncomingHttpHeaders,
  websocket: boolean,
  server?: string,
): AccessVerdict => {
  if (!who) return { ok: false, status: 401, message: 'Authentication required: log in or send an API token', login: true };
  if (!canAccess(who, owner, server)) return { ok: false, status: 403, message: `Access to ${owner}'s servers is not allowed`, login: false };
  const crossOrigin = crossOriginRefusal(who, method, headers, websocket);
  if (crossOrigin) return { ok: false, status: 403, message: crossOrigin, login: false };
  return { ok: true };
};

/**
 * Why a request must be refused as cross-site, or null: a cookie-authenticated write or WebSocket whose
 * Origin (or Referer) is not the hub's own host. What sits behind the hub trusts the hub's check.
 */
export const crossOriginRefusal = (who: Identity, method: string, headers: IncomingHttpHeaders, websocket: boolean): string | null => {
  if (who.via !== 'cookie' || (!websocket && SAFE.has(method))) return null;
  const origin = originOf(headers);
  if (origin === undefined) return null;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  return host === undefined || host !== headers.host ? `Cross-origin request from ${origin} refused` : null;
};
