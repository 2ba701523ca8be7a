import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { stripHubCookies } from '../accounts/cookies.js';
import { HOP_BY_HOP, withoutHubCookies } from './headers.js';
import { rewriteLocation, rewriteRefresh, type AppPlace } from './location.js';

/**
 * Headers an app must never get from a client: credentials meant for the hub, and the identity and
 * forwarding headers an app behind an authenticating proxy would trust (oauth2-proxy, Apache's and nginx's
 * auth modules, Grafana's auth proxy). The hub sets the X-Forwarded-* ones itself.
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

export interface AppRequestContext {
  remoteAddress: string | undefined;
  /** The path the browser sees the app at (X-Forwarded-Prefix), e.g. /user/alice/proxy/8050 */
  prefix: string;
}

/**
 * Headers sent to an app: the client's, minus the hub's credentials (no Authorization, no hub cookie; the
 * `?token=` is gone from the path already) and minus any identity or forwarding claim; an app gets no
 * runtime token either (it is not Jupyter and must never see the runtime's secret).
 */
export const appUpstreamHeaders = (incoming: IncomingHttpHeaders, ctx: AppRequestContext, upgrade: boolean): OutgoingHttpHeaders => {
  const out: OutgoingHttpHeaders = {};
  for (const key in incoming) {
    if (dropped(key)) continue;
    if (!upgrade && HOP_BY_HOP.has(key)) continue;
    out[key] = incoming[key];
  }
  const cookie = stripHubCookies(incoming.cookie);
  if (cookie) out['cookie'] = cookie;
  out['x-forwarded-for'] = ctx.remoteAddress ?? '';
  out['x-forwarded-proto'] = forwardedProto(incoming);
  if (typeof incoming.host === 'string') out['x-forwarded-host'] = incoming.host;
  out['x-forwarded-prefix'] = ctx.prefix.replace(/\/$/, '');
  return out;
};

/** Response headers from an app: as the runtime's (headers.ts), with redirects kept under the app's prefix. */
export const appDownstreamHeaders = (raw: string[], place: AppPlace, upgrade: boolean): string[] => {
  const out = upgrade ? withoutHubCookies(raw) : [];
  if (!upgrade) {
    const kept = withoutHubCookies(raw);
    for (let i = 0; i < kept.length; i += 2) {
      const lower = (kept[i] as string).toLowerCase();
      if (lower === 'connection' || lower === 'keep-alive' || lower === 'transfer-encoding') continue;
      out.push(kept[i] as string, kept[i + 1] as string);
    }
  }
  for (let i = 0; i < out.length; i += 2) {
    const lower = (out[i] as string).toLowerCase();
    if (lower === 'location' || lower === 'content-location') out[i + 1] = rewriteLocation(out[i + 1] as string, place);
    else if (lower === 'refresh') out[i + 1] = rewriteRefresh(out[i + 1] as string, place);
  }
  return out;
};
