import { request } from 'node:http';
import type { RunningRuntime } from '../core/usage.js';

export interface JupyterResponse {
  status: number;
  body: unknown;
}

const MAX_BODY = 4 * 1024 * 1024;

/**
 * Calls a runtime's own Jupyter REST API with its token (sessions, kernels); a GET is marked
 * no_track_activity. The deadline is on the whole
 * exchange and the answer is capped: a runtime is its user's code, and must not stall the hub.
 */
export const callRuntime = (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>, method: string, path: string, timeoutMs = 3000): Promise<JupyterResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(rt.baseUrl + path, rt.target);
    // nbhub looking is not someone using the runtime: jupyter_server's own last_activity (and its
    // shutdown_no_activity_timeout) must not move for it. Actions (interrupt, shutdown) do count.
    if (method === 'GET') url.searchParams.set('no_track_activity', '1');
    const deadline = setTimeout(() => req.destroy(new Error(`runtime did not answer ${method} ${path} within ${timeoutMs} ms`)), timeoutMs);
    const req = request(url, { method, headers: { authorization: `token ${rt.token}`, 'content-type': 'application/json' }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error(`runtime answered more than ${MAX_BODY} bytes to ${method} ${path}`));
        else chunks.push(c);
      });
      res.on('end', () => {
        clearTimeout(deadline);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // not JSON; keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.end(method === 'POST' ? '{}' : undefined);
  });

interface SessionModel {
  path?: string;
  notebook?: { path?: string };
  kernel?: { id?: string } | null;
}

/** Notebook paths by kernel id, from the runtime's /api/sessions (DESIGN.md idea 5). */
export const notebooksByKernel = async (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>): Promise<Record<string, string[]>> => {
  const res = await callRuntime(rt, 'GET', 'api/sessions', 2000);
  if (res.status !== 200 || !Array.isArray(res.body)) throw new Error(`GET api/sessions answered ${res.status}`);
  const out: Record<string, string[]> = {};
  for (const s of res.body as SessionModel[]) {
    const id = s.kernel?.id;
    const path = s.path ?? s.notebook?.path;
    if (!id || !path) continue;
    (out[id] ??= []).push(path);
  }
  // Two sessions may name the same notebook on one kernel: each path once.
  for (const [id, list] of Object.entries(out)) out[id] = [...new Set(list)].sort();
  return out;
};
