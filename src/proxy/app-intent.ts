import type { IncomingHttpHeaders } from 'node:http';
import type { AppIntent } from '../core/apps.js';

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return typeof v === 'string' ? v.toLowerCase() : undefined;
};

/**
 * Whether a request to a named app is a person opening it (a top-level page navigation: the address bar, a
 * link, a reload) or the traffic of a page already open (a WebSocket reconnecting, fetches, polls, assets, a
 * frame inside the page). Browsers say which in Sec-Fetch-Mode and Sec-Fetch-Dest; a client that sends
 * neither is judged by its Accept, as a page is asked for as text/html.
 */
export const appIntent = (method: string, headers: IncomingHttpHeaders, websocket: boolean): AppIntent => {
  if (websocket || (method !== 'GET' && method !== 'HEAD')) return 'background';
  const mode = header(headers, 'sec-fetch-mode');
  if (mode !== undefined && mode !== 'navigate') return 'background';
  const dest = header(headers, 'sec-fetch-dest');
  if (dest !== undefined && dest !== 'document') return 'background';
  return (header(headers, 'accept') ?? '').includes('text/html') ? 'visit' : 'background';
};
