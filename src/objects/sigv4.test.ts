import { describe, expect, it } from 'vitest';
import { EMPTY_SHA256, presignUrl, sha256Hex, signHeaders, signingKey, uriEncode } from './sigv4.js';

// The example values AWS publishes for Signature Version 4 (S3 API reference, "Signature Calculations for the
// Authorization Header" and "Authenticating Requests: Using Query Parameters"; IAM's "Examples of how to derive a
// signing key"), with their exact expected signatures.
const credentials = { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const scope = { region: 'us-east-1', service: 's3' };
const now = Date.UTC(2013, 4, 24, 0, 0, 0);
const host = 'https://examplebucket.s3.amazonaws.com';
const signatureOf = (h: Record<string, string>) => /Signature=([0-9a-f]{64})$/.exec(h['authorization'] ?? '')?.[1];

describe('SigV4 against AWS example values', () => {
  it('derives the signing key of the IAM example', () => {
    expect(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', { region: 'us-east-1', service: 'iam' }).toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('signs "GET Object" (a Range header, empty payload)', () => {
    const h = signHeaders({ method: 'GET', url: new URL(`${host}/test.txt`), headers: { range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256, credentials, scope, now });
    expect(h['authorization']).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(h['x-amz-date']).toBe('20130524T000000Z');
  });

  it('signs "PUT Object" (an encoded key, a signed payload, a Date header)', () => {
    const payload = sha256Hex('Welcome to Amazon S3.');
    expect(payload).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const url = new URL(`${host}/${uriEncode('test$file.text', true)}`);
    expect(url.pathname).toBe('/test%24file.text');
    const h = signHeaders({ method: 'PUT', url, headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' }, payloadHash: payload, credentials, scope, now });
    expect(h['authorization']).toContain('SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,');
    expect(signatureOf(h)).toBe('98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('signs "GET Bucket Lifecycle" and "GET Bucket" (query parameters, one without a value)', () => {
    const get = (q: string) => signatureOf(signHeaders({ method: 'GET', url: new URL(`${host}/?${q}`), payloadHash: EMPTY_SHA256, credentials, scope, now }));
    expect(get('lifecycle')).toBe('fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
    expect(get('max-keys=2&prefix=J')).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('presigns the documented GET URL (86400 s)', () => {
    const url = presignUrl({ method: 'GET', url: new URL(`${host}/test.txt`), credentials, scope, now, expiresSeconds: 86400 });
    expect(url).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
    expect(url).not.toContain(credentials.secretKey);
  });
});

describe('uriEncode', () => {
  it('keeps only unreserved characters (and / in paths), UTF-8 bytes upper-case', () => {
    expect(uriEncode('a b+c/d~e', true)).toBe('a%20b%2Bc/d~e');
    expect(uriEncode('a/b')).toBe('a%2Fb');
    expect(uriEncode('é')).toBe('%C3%A9');
  });
});
