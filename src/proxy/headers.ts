import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { HUB_COOKIES, stripHubCookies } from '../accounts/cookies.js';
import { runtimeAuthHeaders } from '../core/runtime-auth.js';

// Per-connection headers (RFC 9110 §7.6.1) are not forwarded; upgrade requests keep theirs.
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Headers no upstream (runtime, app, service, cluster UI) may get from a client: credentials meant for the hub,
 * and the identity and forwarding headers a server behind an authenticating proxy would trust (oauth2-proxy,
 * Apache's and nginx's auth modules, Grafana's auth proxy). The hub sets the X-Forwarded-* ones itself.
 */
const DROPPED = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'forwarded',
  'x-real-ip',
  'remote-user',
  'x-remote-user',
  'x-remote-group',
  'x-remote-email',
  'x-user',
  'x-email',
  'x-webauth-user',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
]);
const DROPPED_PREFIXES = ['x-forwarded-', 'x-auth-request-', 'x-nbhub-'];

const dropped = (key: string): boolean => DROPPED.has(key) || DROPPED_PREFIXES.some((p) => key.startsWith(p));

/** Whether the hub was reached over TLS: a TLS front end says so in X-Forwarded-Proto (as the session cookie trusts it). */
export const forwardedProto = (incoming: IncomingHttpHeaders): 'http' | 'https' => (incoming['x-forwarded-proto'] === 'https' ? 'https' : 'http');

/** The client's headers an upstream may see (the one rule for runtimes and apps): no credential, claim or hub cookie. */
export const clientHeaders = (incoming: IncomingHttpHeaders, upgrade: boolean): OutgoingHttpHeaders => {
  const out: OutgoingHttpHeaders = {};
  for (const key in incoming) {
    if (dropped(key)) continue;
    if (!upgrade && HOP_BY_HOP.has(key)) continue;
    out[key] = incoming[key];
  }
  const cookie = stripHubCookies(incoming.cookie);
  if (cookie) out['cookie'] = cookie;
  return out;
};

/** What the hub itself says of the client: its address as the hub saw it (no client-sent chain), scheme and Host. */
export const forwardingHeaders = (incoming: IncomingHttpHeaders, remoteAddress: string | undefined): OutgoingHttpHeaders => ({
  'x-forwarded-for': remoteAddress ?? '',
  'x-forwarded-proto': forwardedProto(incoming),
  ...(typeof incoming.host === 'string' ? { 'x-forwarded-host': incoming.host } : {}),
});

/**
 * Headers sent to the runtime: the client's as for apps, plus the runtime's own token. Host and Origin stay as
 * the browser sent them, so Jupyter's origin check passes.
 */
export const upstreamHeaders = (
  incoming: IncomingHttpHeaders,
  runtimeToken: string,
  remoteAddress: string | undefined,
  upgrade: boolean,
): OutgoingHttpHeaders => ({ ...clientHeaders(incoming, upgrade), ...forwardingHeaders(incoming, remoteAddress), ...runtimeAuthHeaders(runtimeToken) });

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

/**
 * A runtime's Set-Cookie as the browser may get it (pure), or null: it must never shadow or replace the hub's
 * cookies, so it stays scoped under the runtime's own prefix. The hub's names and `__Host-` ones (which are
 * site-wide by definition) are dropped; `Domain=` is dropped (host-only); a Path outside the prefix (`/`,
 * `/hub/`, another user's) or none becomes the prefix.
 */
export const scopeRuntimeCookie = (value: string, prefix: string): string | null => {
  const parts = value.split(';').map((p) => p.trim());
  const name = (parts[0] ?? '').split('=', 1)[0]?.trim() ?? '';
  if (name === '' || HUB_COOKIES.has(name) || name.toLowerCase().startsWith('__host-')) return null;
  const attrs = parts.slice(1).filter((a) => a !== '' && !/^(domain|path)\s*(=|$)/i.test(a));
  const path = parts.slice(1).find((a) => /^path\s*=/i.test(a));
  const asked = path ? path.slice(path.indexOf('=') + 1).trim() : '';
  const kept = asked.startsWith(prefix) && !/(^|\/)\.\.?(\/|$)|%2e|\\/i.test(asked) ? asked : prefix;
  return [parts[0] as string, `Path=${kept}`, ...attrs].join('; ');
};

/** Raw response headers with every Set-Cookie scoped under `prefix` (scopeRuntimeCookie). */
export const scopedCookies = (raw: string[], prefix: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i] as string;
    if (k.toLowerCase() !== 'set-cookie') {
      out.push(k, raw[i + 1] as string);
      continue;
    }
    const v = scopeRuntimeCookie(raw[i + 1] as string, prefix);
    if (v !== null) out.push(k, v);
  }
  return out;
};

/** Raw response headers minus per-connection ones (Node frames the body itself). */
export const withoutPerConnection = (raw: string[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i] as string;
    const lower = k.toLowerCase();
    if (lower === 'connection' || lower === 'keep-alive' || lower === 'transfer-encoding') continue;
    out.push(k, raw[i + 1] as string);
  }
  return out;
};

/** Response headers from the runtime: per-connection ones dropped, cookies kept under `prefix`. */
export const downstreamHeaders = (raw: string[], prefix: string): string[] => withoutPerConnection(scopedCookies(raw, prefix));
