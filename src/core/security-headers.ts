/**
 * Headers on every answer the hub makes itself (API, console, login, its own pages and errors, the proxies'
 * refusals), never on a runtime's or app's own answers, which set theirs: no content sniffing (a JSON error
 * echoing a name is never a script or a page), no framing by another site (clickjacking the console's buttons),
 * no hub path (a token in a query) in the Referer sent to other sites.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "frame-ancestors 'self'",
  'referrer-policy': 'same-origin',
};

/** `headers` with the hub's security headers added (for the proxies' own answers, written with writeHead). */
export const hubAnswer = <T extends Record<string, string | number | string[]>>(headers: T): T & Record<string, string> => ({ ...SECURITY_HEADERS, ...headers });
