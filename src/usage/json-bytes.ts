/**
 * JSON text built as UTF-8 bytes in one growing buffer (usage-json.ts). Plain objects and functions, not
 * classes: V8 drops the shape of a class instance nothing uses any more at a full GC, and with it the
 * optimised code that read it; the loops writing each answer then started over unoptimised.
 */

/** The longest text JSON.stringify gives a number: `-1.7976931348623157e+308`. */
export const MAX_NUMBER_TEXT = 24;

export interface JsonBytes {
  buf: Buffer;
  /** Bytes written: callers that write into `buf` directly reserve first and advance this. */
  n: number;
}

export const jsonBytes = (sizeHint: number): JsonBytes => ({
  // Unsafe (uninitialised) is fine: only the bytes written, [0, n), ever leave.
  buf: Buffer.allocUnsafe(Math.max(256, sizeHint)),
  n: 0,
});

/** Makes room for `k` more bytes (a write past the end of a Buffer would be dropped silently). */
export const reserve = (out: JsonBytes, k: number): void => {
  if (out.n + k <= out.buf.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(2 * out.buf.length, out.n + k));
  out.buf.copy(bigger, 0, 0, out.n);
  out.buf = bigger;
};

/** Text in JSON form (keys and punctuation, or JSON.stringify's), UTF-8 encoded. */
export const writeText = (out: JsonBytes, s: string): void => {
  reserve(out, 3 * s.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
  const buf = out.buf;
  let n = out.n;
  // Short ASCII text is copied here: cheaper than a call into Buffer.write for each label.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      out.n = n + buf.write(s.slice(i), n, 'utf8');
      return;
    }
    buf[n++] = c;
  }
  out.n = n;
};

/** The bytes written (a view: no copy). */
export const written = (out: JsonBytes): Buffer => out.buf.subarray(0, out.n);

/**
 * Lists of numbers as JSON.stringify writes them (shortest round-trip form, -0 as 0, NaN and ±Infinity as
 * null), handed out one at a time in order. One JSON.stringify of all the lists formats every number: much
 * cheaper than a String() each, and JSON.stringify's by construction.
 */
export interface NumberTexts {
  /** `[[1,0.5],[],[null]]`: numbers, brackets, commas and `null` are ASCII, so latin1 copies the bytes as they are. */
  text: Buffer;
  /** Where to look for the next number. */
  at: number;
}

export const numberTexts = (lists: readonly (readonly number[])[]): NumberTexts => ({ text: Buffer.from(JSON.stringify(lists), 'latin1'), at: 0 });

/** Copies the next number's text to `out` at `n` (room for MAX_NUMBER_TEXT bytes reserved); returns where it ends. */
export const copyNextNumber = (from: NumberTexts, out: Uint8Array, n: number): number => {
  const text = from.text;
  let i = from.at;
  let c = text[i] as number;
  while (c === 91 || c === 93 || c === 44) c = text[++i] as number; // [ ] ,
  while (c !== 44 && c !== 93) {
    out[n++] = c;
    c = text[++i] as number;
  }
  from.at = i;
  return n;
};
