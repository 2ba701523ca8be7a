import type { IncomingHttpHeaders } from 'node:http';
import { canAccess, type Identity } from '../core/identity.js';
import { crossOriginRefusal } from '../core/origin.js';

export { crossOriginRefusal, hubOrigin } from '../core/origin.js';

export type AccessVerdict =
  | { ok: true }
  | { ok: false; status: 401 | 403; message: string; login: boolean };

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

