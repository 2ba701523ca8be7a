import { createHash, randomBytes } from 'node:crypto';

/** Randomness is injected where decisions depend on it; this is the production source. */
export interface IdGenerator {
  /** A url-safe random string carrying `bytes` bytes of entropy. */
  random(bytes: number): string;
}

const POOL_BYTES = 4096;

/**
 * The production source: the CSPRNG, drawn from a pool refilled 4 KB at a time (as crypto.randomUUID does).
 * Ids are made on hot paths (one per cell run, on the kernel traffic's way), where a call into the CSPRNG per
 * id cost more than the rest of the work.
 */
export const cryptoIds: IdGenerator = (() => {
  let pool = Buffer.alloc(0);
  let at = 0;
  return {
    random: (bytes) => {
      if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
      if (at + bytes > pool.length) {
        pool = randomBytes(POOL_BYTES);
        at = 0;
      }
      at += bytes;
      return pool.toString('base64url', at - bytes, at);
    },
  };
})();

export const sha256hex = (value: string): string => createHash('sha256').update(value).digest('hex');
