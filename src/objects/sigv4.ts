import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4, written here (node:crypto only, no SDK), as S3 defines it: the header form for the
 * hub's own requests and the query-string form for presigned URLs. Pure: the time is passed in.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */

export interface SigningCredentials {
  accessKey: string;
  secretKey: string;
}

export interface SigningScope {
  region: string;
  /** `s3` here. */
  service: string;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** The payload hash a presigned URL signs: the body is not known when the URL is made. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ALGORITHM = 'AWS4-HMAC-SHA256';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20130524T000000Z` */
export const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ (and `/` in a path) as %XX, upper case. */
export const uriEncode = (s: string, keepSlash = false): string =>
  Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
    return '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }).join('');

/** The derived key of one day, region and service. */
export const signingKey = (secretKey: string, day: string, scope: SigningScope): Buffer =>
  hmac(hmac(hmac(hmac('AWS4' + secretKey, day), scope.region), scope.service), 'aws4_request');

const canonicalQuery = (params: Array<[string, string]>): string =>
  params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

export interface CanonicalInput {
  method: string;
  /** Already encoded as it goes on the wire (S3 does not encode it twice). */
  path: string;
  query: Array<[string, string]>;
  /** Lower-case names; values are trimmed and inner runs of spaces folded here. */
  headers: Record<string, string>;
  payloadHash: string;
}

export const canonicalRequest = (r: CanonicalInput): { text: string; signedHeaders: string } => {
  const names = Object.keys(r.headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headerLines = names.map((n) => `${n}:${(lower[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  return { text: [r.method, r.path || '/', canonicalQuery(r.query), headerLines, signedHeaders, r.payloadHash].join('\n'), signedHeaders };
};

const stringToSign = (date: string, scope: string, canonical: string): string => [ALGORITHM, date, scope, sha256Hex(canonical)].join('\n');

const scopeOf = (date: string, s: SigningScope): string => `${date.slice(0, 8)}/${s.region}/${s.service}/aws4_request`;

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign besides host, x-amz-date and x-amz-content-sha256 (which are added). */
  headers?: Record<string, string>;
  payloadHash: string;
  credentials: SigningCredentials;
  scope: SigningScope;
  now: number;
}

/** The headers to send (Authorization included) for a request signed in the header form. */
export const signHeaders = (i: SignInput): Record<string, string> => {
  const date = amzDate(i.now);
  const headers: Record<string, string> = { ...i.headers, host: i.url.host, 'x-amz-date': date, 'x-amz-content-sha256': i.payloadHash };
  const { text, signedHeaders } = canonicalRequest({ method: i.method, path: i.url.pathname, query: [...i.url.searchParams], headers, payloadHash: i.payloadHash });
  const scope = scopeOf(date, i.scope);
  const signature = hmac(signingKey(i.credentials.secretKey, date.slice(0, 8), i.scope), stringToSign(date, scope, text)).toString('hex');
  const { host: _host, ...rest } = headers;
  return { ...rest, authorization: `${ALGORITHM} Credential=${i.credentials.accessKey}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}` };
};

export interface PresignInput {
  method: string;
  url: URL;
  credentials: SigningCredentials;
  scope: SigningScope;
  now: number;
  expiresSeconds: number;
}

/** The URL with its signature in the query (only `host` signed), valid for `expiresSeconds` from `now`. */
export const presignUrl = (i: PresignInput): string => {
  const date = amzDate(i.now);
  const scope = scopeOf(date, i.scope);
  const query: Array<[string, string]> = [
    ...i.url.searchParams,
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${i.credentials.accessKey}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(i.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const { text } = canonicalRequest({ method: i.method, path: i.url.pathname, query, headers: { host: i.url.host }, payloadHash: UNSIGNED_PAYLOAD });
  const signature = hmac(signingKey(i.credentials.secretKey, date.slice(0, 8), i.scope), stringToSign(date, scope, text)).toString('hex');
  return `${i.url.origin}${i.url.pathname}?${canonicalQuery(query)}&X-Amz-Signature=${signature}`;
};
