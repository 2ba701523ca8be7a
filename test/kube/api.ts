import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * The process kubelet's own small REST client: the node stand-in needs merge patches on subresources,
 * preconditions on delete and one long watch, which are plainer over node:https than through the generated
 * client. Authentication and TLS come from the kubeconfig (client-node's applyToHTTPSOptions).
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

export type WatchEvent<T> = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: T };

export interface Api {
  readonly server: URL;
  get<T>(path: string): Promise<T>;
  /** A plain-text answer (pods/log). */
  getText(path: string): Promise<string>;
  /** Undefined on 404. */
  find<T>(path: string): Promise<T | undefined>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown, type?: 'merge' | 'strategic'): Promise<T>;
  delete(path: string, options?: Record<string, unknown>): Promise<void>;
  /** Streams watch events until the server ends the watch or `signal` aborts; resolves when it ends. */
  watch<T>(path: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

const CONTENT_TYPES = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json' };

export const createApi = async (kc: KubeConfig): Promise<Api> => {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const server = new URL(cluster.server);
  const base: https.RequestOptions = { hostname: server.hostname, port: server.port || 443 };
  await kc.applyToHTTPSOptions(base);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  const open = (method: string, path: string, body: unknown, contentType: string, signal?: AbortSignal) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (data) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': data.length });
      const req = https.request({ ...base, agent, method, path, headers, ...(signal ? { signal } : {}) }, resolve);
      req.on('error', reject);
      req.end(data);
    });

  const call = async <T>(method: string, path: string, body?: unknown, contentType = 'application/json', raw = false): Promise<T> => {
    const res = await open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      let reason = '';
      let message = text;
      try {
        const parsed = JSON.parse(text) as { reason?: string; message?: string };
        reason = parsed.reason ?? '';
        message = parsed.message ?? text;
      } catch { /* not JSON: keep the text */ }
      throw new ApiError(status, reason, `${method} ${path}: ${status} ${message}`);
    }
    if (raw) return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  };

  return {
    server,
    get: (path) => call('GET', path),
    getText: (path) => call<string>('GET', path, undefined, 'application/json', true),
    find: async (path) => {
      try {
        return await call('GET', path);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body, type = 'merge') => call('PATCH', path, body, CONTENT_TYPES[type]),
    delete: async (path, options) => {
      try {
        await call('DELETE', path, options ? { kind: 'DeleteOptions', apiVersion: 'v1', ...options } : undefined);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
      }
    },
    watch: async <T>(path: string, onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal) => {
      let res;
      try {
        res = await open('GET', path, undefined, '', signal);
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if ((res.statusCode ?? 0) >= 400) {
        res.resume();
        throw new ApiError(res.statusCode ?? 0, '', `watch ${path}: ${res.statusCode}`);
      }
      let buffered = '';
      try {
        for await (const chunk of res) {
          buffered += (chunk as Buffer).toString();
          let nl;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) onEvent(JSON.parse(line) as WatchEvent<T>);
          }
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    },
  };
};

/** List then watch from the list's resourceVersion, relisting on 410 Gone or any break: one watch. */
export const listWatch = <T extends { metadata?: { resourceVersion?: string } }>(
  api: Api,
  path: string,
  query: string,
  handlers: { sync(items: T[]): void; event(event: WatchEvent<T>): void; error(err: unknown): void },
  signal: AbortSignal,
): Promise<void> => {
  const sep = query ? '&' : '';
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        const list = await api.get<{ items: T[]; metadata: { resourceVersion: string } }>(`${path}?${query}`);
        handlers.sync(list.items);
        let rv = list.metadata.resourceVersion;
        let gone = false;
        while (!signal.aborted && !gone) {
          await api.watch<T>(`${path}?${query}${sep}watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`, (ev) => {
            if (ev.type === 'ERROR') {
              gone = true; // 410 Gone (or another error status): relist
              return;
            }
            if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
            if (ev.type !== 'BOOKMARK') handlers.event(ev);
          }, signal);
        }
      } catch (err) {
        if (signal.aborted) return;
        handlers.error(err);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  return loop();
};
