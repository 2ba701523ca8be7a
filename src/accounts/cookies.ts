/** Minimal cookie parsing and serialising: the hub only reads and writes its own two cookies. */
export const SESSION_COOKIE = 'nbhub-session';
/**
 * The session cookie's name when Secure: `__Host-` makes the browser refuse it from a sibling subdomain or with a
 * Domain or Path, so it cannot be tossed. The XSRF cookie keeps its name (the console's script reads it): its value
 * is compared with the session's record, never with itself, so a tossed one gains nothing.
 */
export const HOST_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
export const XSRF_COOKIE = 'nbhub-xsrf';
/** Binds a login at the OpenID provider to the browser that started it (HttpOnly, minutes). */
export const OAUTH_COOKIE = 'nbhub-oauth';
export const HUB_COOKIES = new Set([SESSION_COOKIE, HOST_SESSION_COOKIE, XSRF_COOKIE, OAUTH_COOKIE]);

/** The session cookie's name as written on a request that is (or is not) Secure; both names are read. */
export const sessionCookieName = (secure: boolean): string => (secure ? HOST_SESSION_COOKIE : SESSION_COOKIE);

/**
 * The session id a Cookie header carries, under either name. Two different values (a cookie tossed from a
 * sibling subdomain or set with another Path beside the real one) are no session: never pick one silently.
 */
export const sessionIdOf = (header: string | undefined): string | undefined => {
  if (!header) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name !== SESSION_COOKIE && name !== HOST_SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (value === '') continue;
    if (found !== undefined && found !== value) return undefined;
    found = value;
  }
  return found;
};

export const parseCookies = (header: string | undefined): Map<string, string> => {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
};

/** The Cookie header without the hub's own cookies, for forwarding upstream; undefined when nothing is left. */
export const stripHubCookies = (header: string | undefined): string | undefined => {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !HUB_COOKIES.has(p.slice(0, Math.max(0, p.indexOf('=')))));
  return kept.length > 0 ? kept.join('; ') : undefined;
};

export interface CookieOptions {
  maxAgeSeconds: number | null;
  httpOnly: boolean;
  secure: boolean;
}

export const serializeCookie = (name: string, value: string, o: CookieOptions): string =>
  [
    `${name}=${value}`,
    'Path=/',
    'SameSite=Lax',
    o.maxAgeSeconds === null ? '' : `Max-Age=${o.maxAgeSeconds}`,
    o.httpOnly ? 'HttpOnly' : '',
    o.secure ? 'Secure' : '',
  ]
    .filter(Boolean)
    .join('; ');
