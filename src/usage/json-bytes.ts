/** The longest text JSON.stringify gives a number: `-1.7976931348623157e+308`. */
export const MAX_NUMBER_TEXT = 24;

/** JSON text built as UTF-8 bytes in one growing buffer (usage-json.ts). */
export class JsonBytes {
  buf: Buffer;
  /** Bytes written: callers that write into `buf` directly reserve first and advance this. */
  n = 0;

  constructor(sizeHint: number) {
    // Unsafe (uninitialised) is fine: only the bytes written, [0, n), ever leave.
    this.buf = Buffer.allocUnsafe(Math.max(256, sizeHint));
  }

  /** Makes room for `k` more bytes (a write past the end of a Buffer would be dropped silently). */
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.n + k));
    this.buf.copy(bigger, 0, 0, this.n);
    this.buf = bigger;
  }

  /** Text in JSON form (keys and punctuation, or JSON.stringify's), UTF-8 encoded. */
  text(s: string): void {
    this.reserve(3 * s.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const buf = this.buf;
    let n = this.n;
    // Short ASCII text is copied here: cheaper than a call into Buffer.write for each label.
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.n = n + buf.write(s.slice(i), n, 'utf8');
        return;
      }
      buf[n++] = c;
    }
    this.n = n;
  }

  /** The bytes written (a view: no copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}

/**
 * Lists of numbers as JSON.stringify writes them (shortest round-trip form, -0 as 0, NaN and ±Infinity as
 * null), handed out one at a time in order. One JSON.stringify of all the lists formats every number: much
 * cheaper than a String() each, and JSON.stringify's by construction.
 */
export class NumberTexts {
  private readonly text: Buffer;
  private at = 0;

  constructor(lists: readonly (readonly number[])[]) {
    // `[[1,0.5],[],[null]]`: numbers, brackets, commas and `null` are ASCII, so latin1 copies the bytes as they are.
    this.text = Buffer.from(JSON.stringify(lists), 'latin1');
  }

  get byteLength(): number {
    return this.text.length;
  }

  /** Copies the next number's text to `out` at `n` (room for MAX_NUMBER_TEXT bytes reserved); returns where it ends. */
  copyNext(out: Uint8Array, n: number): number {
    const text = this.text;
    let i = this.at;
    let c = text[i] as number;
    while (c === 91 || c === 93 || c === 44) c = text[++i] as number; // [ ] ,
    while (c !== 44 && c !== 93) {
      out[n++] = c;
      c = text[++i] as number;
    }
    this.at = i;
    return n;
  }
}
