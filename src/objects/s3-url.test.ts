import { describe, expect, it } from 'vitest';
import { HubError } from '../core/errors.js';
import { parseS3Url } from './s3-url.js';

const refused = (text: string): string => {
  try {
    parseS3Url(text);
  } catch (e) {
    expect(e).toBeInstanceOf(HubError);
    expect((e as HubError).code).toBe('BAD_REQUEST');
    return (e as HubError).message;
  }
  throw new Error(`${text} was accepted`);
};

describe('parseS3Url', () => {
  it('splits bucket and key, keeping the key as written', () => {
    expect(parseS3Url('s3://jobs/spark-pi.jar')).toEqual({ bucket: 'jobs', key: 'spark-pi.jar' });
    expect(parseS3Url('s3://my.bucket-1/a/b c/é.jar')).toEqual({ bucket: 'my.bucket-1', key: 'a/b c/é.jar' });
  });

  it('refuses what is not s3://bucket/key, saying why', () => {
    expect(refused('http://x/y')).toMatch(/must be s3:\/\/bucket\/key/);
    expect(refused('s3://bucket')).toMatch(/must be s3:\/\/bucket\/key/);
    expect(refused('s3://bucket/')).toMatch(/names no object/);
    expect(refused('s3://Bucket/k')).toMatch(/"Bucket" is not a bucket name/);
    expect(refused('s3://ab/k')).toMatch(/not a bucket name/);
    expect(refused('s3://a..b/k')).toMatch(/not a bucket name/);
    expect(refused('s3://10.0.0.1/k')).toMatch(/not a bucket name/);
    expect(refused('s3://b1b/a/../k')).toMatch(/"\.\." segment/);
    expect(refused('s3://b1b/a//k')).toMatch(/empty/);
    expect(refused('s3://b1b/a\nb')).toMatch(/control character/);
    expect(refused(`s3://b1b/${'k'.repeat(1025)}`)).toMatch(/longer than 1024/);
  });
});
