import { createHash, randomBytes } from 'node:crypto';

/** Randomness is injected where decisions depend on it; this is the production source. */
export interface IdGenerator {
  /** A url-safe random string carrying `bytes` bytes of entropy. */
  random(bytes: number): string;
}

export const cryptoIds: IdGenerator = {
  random: (bytes) => randomBytes(bytes).toString('base64url'),
};

export const sha256hex = (value: string): string => createHash('sha256').update(value).digest('hex');
