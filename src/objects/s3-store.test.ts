import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import { s3Missing, startTestS3, type TestS3 } from '../../test/helpers/s3.js';
import { S3ObjectStore } from './s3-store.js';

// Against a real S3 server (versitygw, built by scripts/install-deps.sh --test).
const missing = s3Missing();

describe.skipIf(missing !== null)(`S3ObjectStore against versitygw${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let s3: TestS3;
  let store: S3ObjectStore;
  const clock: Clock & { offset: number } = { offset: 0, now() { return Date.now() + this.offset; } };

  beforeAll(async () => {
    s3 = await startTestS3();
    store = new S3ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, region: s3.region, clock });
    await store.createBucket('jobs');
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('puts an object, finds its size, and a second createBucket is fine', async () => {
    await store.put('jobs', 'dir/app one.jar', 'hello, spark');
    expect(await store.head('jobs', 'dir/app one.jar')).toEqual({ size: 12 });
    expect(await store.head('jobs', 'dir/missing.jar')).toBeNull();
    expect(await store.head('nobucket', 'x')).toBeNull();
    await store.createBucket('jobs');
  });

  it('a presigned GET is fetched with plain fetch; a tampered one is refused', async () => {
    await store.put('jobs', 'pi.jar', new Uint8Array([1, 2, 3, 4]));
    const url = store.presignGet('jobs', 'pi.jar', 60);
    expect(url).not.toContain(s3.secretKey);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(new Uint8Array(await ok.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
    // Spark appends nothing, but a URL that carries a query string must still work (appResource keeps it).
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    // The same signature for another object is refused too.
    await store.put('jobs', 'other.jar', 'x');
    expect((await fetch(url.replace('/pi.jar?', '/other.jar?'))).status).toBe(403);
  });

  it('a presigned GET expires', async () => {
    await store.put('jobs', 'old.jar', 'x');
    clock.offset = -120_000; // signed two minutes ago, valid for one
    const url = store.presignGet('jobs', 'old.jar', 60);
    clock.offset = 0;
    expect((await fetch(url)).status).toBe(403);
  });

  it('wrong keys are an UNAVAILABLE naming the keys to check, never the secret', async () => {
    const bad = new S3ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: 'not-the-secret-' + s3.secretKey.slice(0, 4), region: s3.region, clock });
    const err = await bad.head('jobs', 'pi.jar').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('UNAVAILABLE');
    expect((err as HubError).message).toMatch(/object_store\.access_key/);
    expect((err as HubError).message).not.toContain('not-the-secret');
  });

  it('an unreachable store is an UNAVAILABLE naming object_store.endpoint', async () => {
    const gone = new S3ObjectStore({ endpoint: 'http://127.0.0.1:1', accessKey: 'a', secretKey: 'b', region: 'us-east-1', clock });
    const err = await gone.head('jobs', 'x').catch((e: unknown) => e);
    expect((err as HubError).code).toBe('UNAVAILABLE');
    expect((err as HubError).message).toMatch(/object_store\.endpoint/);
  });
});
