import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { clientHeaders, forwardingHeaders, withoutHubCookies } from './headers.js';
import { rewriteLocation, rewriteRefresh, type AppPlace } from './location.js';

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
  const out: OutgoingHttpHeaders = { ...clientHeaders(incoming, upgrade), ...forwardingHeaders(incoming, ctx.remoteAddress) };
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
