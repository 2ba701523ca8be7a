import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { runtimeAuthHeaders } from '../core/runtime-auth.js';
import { RuntimeApiError, type RuntimeEndpoint } from '../core/runtime-client.js';

export interface RuntimeAnswer {
  status: number;
  /** The body parsed as JSON; its text when it is not JSON; null when empty. */
  body: unknown;
}

const MAX_BODY = 4 * 1024 * 1024;

/**
 * One exchange with a runtime's REST API, with its token. A GET is marked no_track_activity: nbhub looking is
 * not someone using the runtime, so jupyter_server's own last_activity (and its shutdown_no_activity_timeout)
 * must not move for it; actions (interrupt, shutdown) do count. The deadline is on the whole exchange and the
 * answer is capped: a runtime is its user's code, and must not stall the hub. No answer: RuntimeApiError 'down'.
 */
export const exchange = (rt: RuntimeEndpoint, method: 'GET' | 'POST' | 'DELETE', path: string, timeoutMs: number): Promise<RuntimeAnswer> =>
  new Promise((resolve, reject) => {
    const down = (err: Error) => reject(new RuntimeApiError('down', null, `The runtime did not answer: ${err.message}`, { cause: err }));
    let url: URL;
    try {
      url = new URL(rt.baseUrl + path, rt.target);
    } catch (err) {
      down(err as Error);
      return;
    }
    if (method === 'GET') url.searchParams.set('no_track_activity', '1');
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const deadline = setTimeout(() => req.destroy(new Error(`no answer to ${method} ${path} within ${timeoutMs} ms`)), timeoutMs);
    const req = request(url, { method, headers: { ...runtimeAuthHeaders(rt.token), 'content-type': 'application/json' }, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error(`more than ${MAX_BODY} bytes in answer to ${method} ${path}`));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(deadline);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // not JSON; the caller's parser says so
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', down);
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      down(err);
    });
    req.end(method === 'POST' ? '{}' : undefined);
  });
