import { sha256hex } from '../core/ids.js';

/**
 * The code as kept: cut at `maxBytes` of UTF-8 (never inside a character), or nothing when capture is off.
 * The hash of the whole code is taken when first asked for, by the write behind the traffic.
 */
export const keptCode = (code: string, o: { capture: boolean; maxBytes: number }): { code: string | null; sha256: () => string; bytes: number } => {
  const bytes = Buffer.byteLength(code, 'utf8');
  let hash: string | undefined;
  const sha256 = () => (hash ??= sha256hex(code));
  if (!o.capture) return { code: null, sha256, bytes };
  if (bytes <= o.maxBytes) return { code, sha256, bytes };
  const buf = Buffer.from(code, 'utf8');
  let end = o.maxBytes;
  // Continuation bytes are 10xxxxxx: step back to the first byte of the character that would be cut.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return { code: buf.subarray(0, end).toString('utf8'), sha256, bytes };
};
