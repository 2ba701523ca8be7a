/**
 * Routes to web apps inside a runtime, read from the path under the server's base URL (pure):
 * `proxy/{port}/…` (the app sees `/…`), `proxy/absolute/{port}/…` (the app sees the whole path) and
 * `apps/{app}/…` (a named app of the runtime's profile).
 */
export type AppRoute =
  | { kind: 'port'; port: number; stripPrefix: boolean; prefix: string; forward: string }
  | { kind: 'app'; app: string; prefix: string; rest: string }
  | { kind: 'bad'; message: string };

const PORT = /^[1-9][0-9]{0,4}$/;
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const decoded = (seg: string): string | undefined => {
  try {
    return decodeURIComponent(seg);
  } catch {
    return undefined;
  }
};

/** Segments as a server that decodes and resolves dot segments would see them (RFC 3986 §5.2.4). */
const normalised = (segments: string[]): string[] | undefined => {
  const out: string[] = [];
  for (const raw of segments) {
    const seg = decoded(raw);
    if (seg === undefined) return undefined;
    for (const part of seg.split('/')) {
      if (part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
  }
  return out;
};

/**
 * `url` is the path and query as forwarded (the hub's token already gone), `base` the server's base URL
 * (`/user/alice/` or `/user/alice/lab/`). Undefined: not an app route, the runtime's own path.
 */
export const parseAppRoute = (url: string, base: string): AppRoute | undefined => {
  if (!url.startsWith(base)) return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const segments = path.slice(base.length).split('/');
  const first = segments[0] ?? '';
  if (first !== 'proxy' && first !== 'apps') {
    // An encoded or dotted spelling that a server would read as proxy/ or apps/ must not slip past the
    // checks below to a runtime that routes such paths itself (jupyter-server-proxy).
    const head = segments.slice(0, 4);
    if (!head.some((seg) => seg.includes('%') || seg === '.' || seg === '..')) return undefined;
    const seen = normalised(head);
    if (seen && (seen[0] === 'proxy' || seen[0] === 'apps') && seen.length > 1) {
      return { kind: 'bad', message: `Path ${JSON.stringify(path)} spells ${seen[0]}/ with encoded characters or dot segments; write it plainly` };
    }
    return undefined;
  }
  if (first === 'apps') {
    const raw = segments[1];
    if (raw === undefined || raw === '') return { kind: 'bad', message: `Missing app name: the path is ${base}apps/{app}/` };
    if (!APP_NAME.test(raw)) return { kind: 'bad', message: `Invalid app name ${JSON.stringify(decoded(raw) ?? raw)}: letters, digits, '.', '_' and '-'` };
    const prefix = `${base}apps/${raw}/`;
    return { kind: 'app', app: raw, prefix, rest: '/' + segments.slice(2).join('/') + query };
  }
  const absolute = segments[1] === 'absolute';
  const raw = segments[absolute ? 2 : 1];
  const form = `${base}proxy/${absolute ? 'absolute/' : ''}{port}/`;
  if (raw === undefined || raw === '') return { kind: 'bad', message: `Missing port: the path is ${form}` };
  const port = PORT.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return { kind: 'bad', message: `Invalid port ${JSON.stringify(decoded(raw) ?? raw)} in ${form}: a port number from 1 to 65535 of this server (no host: only the server's own ports are reachable)` };
  }
  const prefix = `${base}proxy/${absolute ? 'absolute/' : ''}${port}/`;
  const after = segments.slice(absolute ? 3 : 2);
  const forward = absolute ? `${prefix}${after.join('/')}${query}` : `/${after.join('/')}${query}`;
  return { kind: 'port', port, stripPrefix: !absolute, prefix, forward };
};

/** The path an app sees under `prefix`, given the rest of the browser's path (from `/`): whole or stripped. */
export const appPath = (prefix: string, rest: string, stripPrefix: boolean): string => (stripPrefix ? rest : prefix + rest.slice(1));

/**
 * The server's base URL as the client spelled it (`/user/{name}/` or `/user/{name}/{server}/`, raw), so routes
 * are read from the very bytes that are forwarded.
 */
export const rawBase = (url: string, named: boolean): string => {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const parts = path.split('/');
  return parts.slice(0, named ? 4 : 3).join('/') + '/';
};
