import { useEffect, useState } from 'preact/hooks';

/** The console's pages; the hub serves the same index.html at each of these paths. */
export type Route =
  | { page: 'root' }
  | { page: 'login' }
  | { page: 'home' }
  | { page: 'admin' }
  | { page: 'usage' }
  | { page: 'server'; user: string; server: string }
  | { page: 'start'; user: string; server: string }
  | { page: 'clusters' }
  | { page: 'cluster'; name: string }
  | { page: 'not-found' };

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

export const parseRoute = (pathname: string): Route => {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/hub') return { page: 'root' };
  if (path === '/hub/login') return { page: 'login' };
  if (path === '/hub/home') return { page: 'home' };
  if (path === '/hub/admin') return { page: 'admin' };
  if (path === '/hub/usage') return { page: 'usage' };
  if (path === '/hub/clusters') return { page: 'clusters' };
  const c = /^\/hub\/clusters\/([^/]+)$/.exec(path);
  if (c) {
    const name = decode(c[1] ?? '');
    if (name !== undefined) return { page: 'cluster', name };
  }
  // /hub/servers/{user}/ is the default server, /hub/servers/{user}/{server} a named one.
  const m = /^\/hub\/servers\/([^/]+)(?:\/([^/]*))?\/?$/.exec(pathname);
  if (m) {
    const user = decode(m[1] ?? '');
    const server = decode(m[2] ?? '');
    if (user !== undefined && server !== undefined) return { page: 'server', user, server };
  }
  // JupyterHub's start page: /hub/spawn-pending/{user} (default server) or /hub/spawn-pending/{user}/{server}.
  const s = /^\/hub\/spawn-pending\/([^/]+)(?:\/([^/]*))?\/?$/.exec(pathname);
  if (s) {
    const user = decode(s[1] ?? '');
    const server = decode(s[2] ?? '');
    if (user !== undefined && server !== undefined) return { page: 'start', user, server };
  }
  return { page: 'not-found' };
};

/** The start page of a server, which goes to it once it is ready (src/core/urls.ts startPagePath, the hub's). */
export const startPagePath = (user: string, server: string): string =>
  `/hub/spawn-pending/${encodeURIComponent(user)}/${encodeURIComponent(server)}`;

export const serverPagePath = (user: string, server: string): string =>
  `/hub/servers/${encodeURIComponent(user)}/${encodeURIComponent(server)}`;

export const clusterPagePath = (name: string): string => `/hub/clusters/${encodeURIComponent(name)}`;

const CHANGE = 'nbhub:navigate';

/** Moves to another console page without reloading. */
export const navigate = (to: string, o: { replace?: boolean } = {}): void => {
  if (o.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
};

/** Where to go after logging in: a console page in place, anything else (a server under /user/) by loading it. */
export const go = (to: string): void => {
  let url: URL;
  try {
    url = new URL(to, location.origin);
  } catch {
    url = new URL('/hub/home', location.origin);
  }
  // Only this origin: `next` comes from the address bar, so it must not lead elsewhere or to `javascript:`.
  if (url.origin !== location.origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) url = new URL('/hub/home', location.origin);
  const local = url.pathname + url.search;
  if (parseRoute(url.pathname).page !== 'not-found') navigate(local);
  else location.assign(local);
};

export const useLocation = (): { pathname: string; search: string } => {
  const [loc, setLoc] = useState({ pathname: location.pathname, search: location.search });
  useEffect(() => {
    const update = () => setLoc({ pathname: location.pathname, search: location.search });
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return loc;
};
