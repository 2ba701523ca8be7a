import { request } from 'node:http';
import type { RunningRuntime } from '../core/usage.js';

export interface JupyterResponse {
  status: number;
  body: unknown;
}

/** Calls a runtime's own Jupyter REST API with its token (sessions, kernels), with a short timeout. */
export const callRuntime = (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>, method: string, path: string, timeoutMs = 3000): Promise<JupyterResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(rt.baseUrl + path, rt.target);
    const req = request(url, { method, headers: { authorization: `token ${rt.token}`, 'content-type': 'application/json' }, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
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
    req.on('timeout', () => req.destroy(new Error(`runtime did not answer ${method} ${path} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });

interface SessionModel {
  path?: string;
  notebook?: { path?: string };
  kernel?: { id?: string } | null;
}

/** Notebook paths by kernel id, from the runtime's /api/sessions (DESIGN.md idea 5). */
export const notebooksByKernel = async (rt: RunningRuntime): Promise<Record<string, string[]>> => {
  const res = await callRuntime(rt, 'GET', 'api/sessions', 2000);
  if (res.status !== 200 || !Array.isArray(res.body)) throw new Error(`GET api/sessions answered ${res.status}`);
  const out: Record<string, string[]> = {};
  for (const s of res.body as SessionModel[]) {
    const id = s.kernel?.id;
    const path = s.path ?? s.notebook?.path;
    if (!id || !path) continue;
    (out[id] ??= []).push(path);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
};
