/**
 * An S3-compatible object store (issue 19): where Spark jobs' application files live. The hub only checks that an
 * object exists and signs a URL through which Spark's processes fetch it; they never see the store's keys.
 */

/** An object's place: `s3://{bucket}/{key}`. */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

export interface ObjectStore {
  /** Its size, or null when the object (or its bucket) does not exist. */
  head(bucket: string, key: string): Promise<{ size: number } | null>;
  /** A URL anyone may GET the object through for `seconds` (AWS Signature Version 4, query-string form). */
  presignGet(bucket: string, key: string, seconds: number): string;
  /** Stores an object (tests and tooling). */
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  /** Creates a bucket; an existing one of ours is fine. */
  createBucket(bucket: string): Promise<void>;
}
