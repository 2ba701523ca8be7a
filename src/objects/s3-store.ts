import type { Clock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import type { ObjectStore } from '../core/objects.js';
import { EMPTY_SHA256, presignUrl, sha256Hex, signHeaders, uriEncode, type SigningCredentials, type SigningScope } from './sigv4.js';

export interface S3StoreOptions {
  /** The store's origin (config object_store.endpoint); requests are path-style: {endpoint}/{bucket}/{key}. */
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  clock: Clock;
  /** Per request; the store is on the hub's side of the network, so a few seconds is plenty. */
  timeoutMs?: number;
}

const unavailable = (message: string, cause?: unknown): HubError => new HubError('UNAVAILABLE', message, { cause });

/** The first `<Code>` of S3's XML error body, to name what the store said. */
const errorCode = (body: string): string => /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1] ?? '';

/**
 * An S3-compatible store over plain fetch, signed with SigV4 (sigv4.ts). Its messages name the endpoint and what
 * the store answered, never the secret key.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly origin: string;
  private readonly credentials: SigningCredentials;
  private readonly scope: SigningScope;

  constructor(private readonly o: S3StoreOptions) {
    this.origin = new URL(o.endpoint).origin;
    this.credentials = { accessKey: o.accessKey, secretKey: o.secretKey };
    this.scope = { region: o.region, service: 's3' };
  }

  private url(bucket: string, key?: string): URL {
    return new URL(`${this.origin}/${uriEncode(bucket)}${key === undefined ? '' : '/' + uriEncode(key, true)}`);
  }

  private async send(method: string, url: URL, body?: Uint8Array): Promise<Response> {
    const headers = signHeaders({ method, url, payloadHash: body ? sha256Hex(body) : EMPTY_SHA256, credentials: this.credentials, scope: this.scope, now: this.o.clock.now() });
    try {
      return await fetch(url, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}), signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
    } catch (err) {
      throw unavailable(`The object store at ${this.origin} cannot be reached (object_store.endpoint): ${(err as Error).message}`, err);
    }
  }

  private async fail(what: string, r: Response): Promise<never> {
    const code = errorCode(await r.text().catch(() => ''));
    const hint = r.status === 403 ? ' (check object_store.access_key and object_store.secret_key)' : '';
    throw unavailable(`The object store at ${this.origin} refused to ${what}: HTTP ${r.status}${code ? ` ${code}` : ''}${hint}`);
  }

  async head(bucket: string, key: string): Promise<{ size: number } | null> {
    const r = await this.send('HEAD', this.url(bucket, key));
    await r.body?.cancel();
    if (r.status === 404) return null;
    if (!r.ok) return this.fail(`look up s3://${bucket}/${key}`, r);
    return { size: Number(r.headers.get('content-length') ?? 0) };
  }

  presignGet(bucket: string, key: string, seconds: number): string {
    return presignUrl({ method: 'GET', url: this.url(bucket, key), credentials: this.credentials, scope: this.scope, now: this.o.clock.now(), expiresSeconds: seconds });
  }

  async put(bucket: string, key: string, body: Uint8Array | string): Promise<void> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const r = await this.send('PUT', this.url(bucket, key), bytes);
    if (!r.ok) return this.fail(`store s3://${bucket}/${key}`, r);
    await r.body?.cancel();
  }

  async createBucket(bucket: string): Promise<void> {
    const r = await this.send('PUT', this.url(bucket));
    if (r.ok) return void (await r.body?.cancel());
    const text = await r.text().catch(() => '');
    if (r.status === 409 && errorCode(text) === 'BucketAlreadyOwnedByYou') return;
    throw unavailable(`The object store at ${this.origin} refused to create bucket ${bucket}: HTTP ${r.status} ${errorCode(text)}`.trimEnd());
  }
}
