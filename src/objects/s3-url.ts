import { badRequest } from '../core/errors.js';
import type { ObjectLocation } from '../core/objects.js';

// S3's bucket naming rules (path-style): 3-63 lower-case letters, digits, dots and hyphens, a letter or digit at
// each end, no `..`, not an IP address.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/**
 * `s3://bucket/key` → its bucket and key, or a 400 that says what is wrong. Keys with empty, `.` or `..` segments
 * are refused: a URL would fold them into another object's path.
 */
export const parseS3Url = (text: string): ObjectLocation => {
  const m = /^s3:\/\/([^/]*)\/(.*)$/s.exec(text);
  if (!m) throw badRequest(`resource must be s3://bucket/key, not ${JSON.stringify(text.slice(0, 200))}`);
  const [, bucket = '', key = ''] = m;
  if (!BUCKET.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw badRequest(`resource ${JSON.stringify(text.slice(0, 200))}: ${JSON.stringify(bucket)} is not a bucket name (3-63 lower-case letters, digits, dots and hyphens)`);
  }
  if (key === '') throw badRequest(`resource ${JSON.stringify(text)} names no object: s3://bucket/key`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw badRequest(`resource's key is longer than ${MAX_KEY_BYTES} bytes`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw badRequest('resource\'s key holds a control character');
  if (key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw badRequest(`resource ${JSON.stringify(text.slice(0, 200))}: its key has an empty, "." or ".." segment`);
  }
  return { bucket, key };
};

export const formatS3Url = (o: ObjectLocation): string => `s3://${o.bucket}/${o.key}`;
