import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { HUB_COOKIES, stripHubCookies } from '../accounts/cookies.js';
import { RUNTIME_AUTH_HEADER, runtimeAuthHeaders } from '../core/runtime-auth.js';

// Per-connection headers (RFC 9110 §7.6.1) are not forwarded; upgrade requests keep theirs.
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Headers sent to the runtime: the client's, minus its Authorization and the hub's cookies, plus the
 * runtime's own token. Host and Origin stay as the browser sent them, so Jupyter's origin check passes.
 */
export const upstreamHeaders = (
  incoming: IncomingHttpHeaders,
  runtimeToken: string,
  remoteAddress: string | undefined,
  upgrade: boolean,
): OutgoingHttpHeaders => {
  const out: OutgoingHttpHeaders = {};
  for (const key in incoming) {
    if (key === 'authorization' || key === 'cookie' || key === RUNTIME_AUTH_HEADER) continue;
    if (!upgrade && HOP_BY_HOP.has(key)) continue;
    out[key] = incoming[key];
  }
  const cookie = stripHubCookies(incoming.cookie);
  if (cookie) out['cookie'] = cookie;
  Object.assign(out, runtimeAuthHeaders(runtimeToken));
  const xff = incoming['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${String(xff)}, ${remoteAddress ?? ''}` : (remoteAddress ?? '');
  return out;
};

/** Raw response headers without any Set-Cookie of the hub's cookies (an upstream could replace a user's session). */
export const withoutHubCookies = (raw: string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i] as string;
    if (k.toLowerCase() === 'set-cookie' && HUB_COOKIES.has((raw[i + 1] as string).split('=', 1)[0]?.trim() ?? '')) continue;
    out.push(k, raw[i + 1] as string);
  }
  return out;
};

/** Response headers from the runtime, minus per-connection ones (Node frames the body itself) and hub cookies. */
export const downstreamHeaders = (raw: string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i] as string;
    const lower = k.toLowerCase();
    if (lower === 'connection' || lower === 'keep-alive' || lower === 'transfer-encoding') continue;
    // A runtime may set its own cookies, never the hub's (it could replace a user's session).
    if (lower === 'set-cookie' && HUB_COOKIES.has((raw[i + 1] as string).split('=', 1)[0]?.trim() ?? '')) continue;
    out.push(k, raw[i + 1] as string);
  }
  return out;
};
