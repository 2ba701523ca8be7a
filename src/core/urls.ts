/** The public path of a server: `/user/{name}/` for the default one, `/user/{name}/{server}/` for named ones. */
export const serverPath = (user: string, server: string): string =>
  server === '' ? `/user/${encodeURIComponent(user)}/` : `/user/${encodeURIComponent(user)}/${encodeURIComponent(server)}/`;

/**
 * The console's start page of a server (JupyterHub's path): it follows the start and goes to the server once it
 * is ready, to `next` when given (a path under the server's own).
 */
export const startPagePath = (user: string, server: string, next?: string): string =>
  `/hub/spawn-pending/${encodeURIComponent(user)}/${encodeURIComponent(server)}${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`;

/**
 * The one decider of where the hub sends a browser (pure): a path on this hub, or `fallback`. Read as a browser
 * reads it (tabs and newlines dropped, `\` as `/`, dot segments collapsed), and refused when that reading is
 * another host (`//evil`, `/\evil`, `/./\/evil`, `/a/..//evil`) or anything but a path; what is kept is the
 * collapsed path and query, so no later reading can differ. Encoded forms (`%2F%2F`, `%5C`) stay encoded: a path.
 */
export const safeRedirectPath = (next: unknown, fallback = '/hub/'): string => {
  if (typeof next !== 'string' || !next.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(next, 'http://nbhub.invalid');
  } catch {
    return fallback;
  }
  const out = url.pathname + url.search;
  // `//x` or `/\x` as the collapsed path would be read as a host by the browser on the next hop.
  if (url.host !== 'nbhub.invalid' || url.username !== '' || /^\/[/\\]/.test(out)) return fallback;
  return out;
};

/** A hub-made Location: the path, or the console when it is not one; never with a `?token=` in it. */
export const hubLocation = (path: string): string => stripQueryParam(safeRedirectPath(path), 'token');

const stripQueryParam = (url: string, name: string): string => {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes(`${name}=`, q)) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete(name);
  const rest = params.toString();
  return url.slice(0, q) + (rest ? `?${rest}` : '');
};

const SECRET_PARAMS = ['token', 'code', 'state', 'access_token', 'id_token', 'password'];

/** The URL as it may be logged: the values of credential-bearing query parameters replaced by `[redacted]`. */
export const loggableUrl = (url: string): string => {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const name of SECRET_PARAMS) {
    if (params.has(name)) {
      params.set(name, '[redacted]');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
};
