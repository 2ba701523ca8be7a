/**
 * Redirects from an app, kept under the app's prefix (pure). Apps behind a stripped prefix believe they
 * are at `/`: their `/x` and `http://127.0.0.1:PORT/x` mean `<prefix>x`. A path already under the prefix
 * (an app that knows it, stripped or not) is left as it is, so nothing is prefixed twice.
 */
export interface AppPlace {
  /** e.g. /user/alice/proxy/8050/ (ends with '/') */
  prefix: string;
  /** The app's own origin as the hub reaches it, e.g. http://127.0.0.1:8050 */
  origin: string;
  /** The Host the browser used for the hub (the app sees it too and may build absolute URLs from it). */
  hubHost: string | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '[::]']);

/** A path (with query and fragment) from the app, as the browser must ask for it. */
const underPrefix = (path: string, place: AppPlace): string => {
  const bare = place.prefix.slice(0, -1);
  if (path === bare || path.startsWith(place.prefix)) return path;
  return place.prefix + path.replace(/^\/+/, '');
};

/** Is `u` the app itself (its origin, any loopback name for its port) or the hub as the app was told of it? */
const own = (u: URL, place: AppPlace): boolean => {
  const app = new URL(place.origin);
  if (u.host === app.host) return true;
  if (u.port === app.port && LOOPBACK.has(u.hostname) && LOOPBACK.has(app.hostname)) return true;
  return place.hubHost !== undefined && u.host === place.hubHost;
};

export const rewriteLocation = (value: string, place: AppPlace): string => {
  const v = value.trim();
  // Relative references (`next`, `../x`, `?q`, `#f`) resolve against the browser's URL, already under the prefix.
  if (v === '' || (!v.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(v))) return value;
  if (v.startsWith('/') && !v.startsWith('//')) return underPrefix(v, place);
  let u: URL;
  try {
    u = new URL(v, 'http://placeholder.invalid');
  } catch {
    return value;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !own(u, place)) return value;
  // Same origin as the hub's page: a path is enough, and keeps the browser on the hub's own scheme and host.
  return underPrefix(u.pathname + u.search + u.hash, place);
};

/** `Refresh: 5; url=/x` (the url part, when there is one). */
export const rewriteRefresh = (value: string, place: AppPlace): string => {
  const m = /^(\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*)(['"]?)(.*?)\2\s*$/i.exec(value);
  if (!m) return value;
  return `${m[1]}${m[2]}${rewriteLocation(m[3] as string, place)}${m[2]}`;
};
