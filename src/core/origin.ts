import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from './identity.js';

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
      // Sent but not a URL: no origin it could be the hub's.
      return 'null';
    }
  }
  return undefined;
};

/** The hub's own origin as this request reached it: Host, and https when a TLS front end says so in X-Forwarded-Proto. */
export const hubOrigin = (h: IncomingHttpHeaders): string | undefined => {
  if (typeof h.host !== 'string' || h.host === '') return undefined;
  try {
    const u = new URL(`${h['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${h.host}`);
    // A Host with a path, credentials or a query is no host.
    return u.host === h.host.toLowerCase() || u.host === h.host.toLowerCase().replace(/:(80|443)$/, '') ? u.origin : undefined;
  } catch {
    return undefined;
  }
};

/** Why the Origin (or Referer) a request names is not the hub's exact origin, or null; none named is null. */
const foreignOrigin = (headers: IncomingHttpHeaders): string | null => {
  const origin = originOf(headers);
  if (origin === undefined) return null;
  let sent: string;
  try {
    sent = new URL(origin).origin;
  } catch {
    sent = 'null';
  }
  return sent === 'null' || sent !== hubOrigin(headers) ? `Cross-origin request from ${origin} refused` : null;
};

/** A browser's request made for another site's page (Fetch Metadata); a sibling subdomain is another site here. */
const fromAnotherSite = (h: IncomingHttpHeaders): boolean => h['sec-fetch-site'] === 'cross-site' || h['sec-fetch-site'] === 'same-site';

/**
 * Why a cookie-authenticated request must be refused as cross-site, or null (pure). Another site's page may only
 * navigate to the hub (a top-level GET); its fetches, no-cors loads (`<script>`, `<img>`), frames' writes and
 * form posts are refused. A write or WebSocket must name the hub's exact origin (scheme, host and port) in
 * Origin, or Referer when Origin is absent: `null`, another scheme or port, a longer host are not the hub.
 * What sits behind the hub trusts the hub's check.
 */
export const crossOriginRefusal = (who: Identity, method: string, headers: IncomingHttpHeaders, websocket: boolean): string | null => {
  if (who.via !== 'cookie') return null;
  const read = !websocket && SAFE.has(method);
  if (fromAnotherSite(headers) && !(read && headers['sec-fetch-mode'] === 'navigate')) return `Cross-site request (Sec-Fetch-Site: ${String(headers['sec-fetch-site'])}) refused`;
  if (read) return null;
  return foreignOrigin(headers);
};

/**
 * Why a request that carries no identity yet but changes one (a login, a logout) must be refused as coming from
 * another site, or null (pure). Login CSRF would log the victim in as the attacker; a foreign logout is a nuisance
 * that can be repeated. Browsers name the site in Sec-Fetch-Site and, on a POST, the origin in Origin; a client
 * that sends neither (curl, scripts) is not a browser another site can drive.
 */
export const foreignSessionChange = (method: string, headers: IncomingHttpHeaders): string | null => {
  if (fromAnotherSite(headers)) return `Cross-site request (Sec-Fetch-Site: ${String(headers['sec-fetch-site'])}) refused`;
  if (SAFE.has(method)) return null;
  return foreignOrigin(headers);
};
