/** `/user/{name}/{first}/…` split into the parts the route table needs; undefined when not a user path. */
export interface UserPath {
  user: string;
  firstSegment: string | undefined;
  /** The path and query forwarded upstream (the runtime serves under the same base URL). */
  forward: string;
}

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/**
 * Why a `/user/…` path is not in its one canonical spelling, or null (pure). The owner is read from the path as
 * sent; any spelling that a browser, a front end or the runtime could read as another path (dot segments, raw or
 * encoded; backslashes; an encoded `/` or `\`, a `;` or an empty segment in the user or server name) would let
 * the hub check one owner while another's runtime answers, so it is refused rather than guessed at.
 */
export const uncanonical = (url: string): string | null => {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.includes('\\') || /%5c/i.test(path)) return 'a backslash';
  const segments = path.split('/');
  for (const seg of segments) if (/^(\.|%2e){1,2}$/i.test(seg)) return 'a dot segment';
  // '', 'user', then the user's name and the server's (or the runtime's first segment).
  for (const seg of segments.slice(2, 4)) if (/%2f|;|%3b/i.test(seg)) return 'an encoded slash or a ; in a name';
  if (segments[2] === '' || (segments.length > 4 && segments[3] === '')) return 'an empty segment';
  return null;
};

export const parseUserPath = (url: string): UserPath | undefined => {
  if (!url.startsWith('/user/')) return undefined;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const slash = path.indexOf('/', 6);
  const user = decode(slash < 0 ? path.slice(6) : path.slice(6, slash));
  if (!user) return undefined;
  let firstSegment: string | undefined;
  if (slash >= 0) {
    const next = path.indexOf('/', slash + 1);
    const seg = next < 0 ? path.slice(slash + 1) : path.slice(slash + 1, next);
    firstSegment = seg === '' ? undefined : decode(seg);
  }
  return { user, firstSegment, forward: withoutToken(url) };
};

/** Removes `token=` from a query string: it authenticated the client to the hub and must not travel on. */
export const stripTokenParam = (query: string): string => {
  if (!query.includes('token=')) return query;
  const params = new URLSearchParams(query.slice(1));
  params.delete('token');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
};

/** The URL without its `token=`: what may be logged or passed on. */
export const withoutToken = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q) + stripTokenParam(url.slice(q));
};

export const tokenParam = (url: string): string | undefined => {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('token=', q)) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
};

export { loggableUrl } from '../core/urls.js';
