/** Cutting bytes into lines (pure). A line ends at '\n'; a '\r' before it is dropped. */

const NL = 0x0a;

const text = (buf: Buffer, from: number, to: number): string => {
  const end = to > from && buf[to - 1] === 0x0d ? to - 1 : to;
  return buf.toString('utf8', from, end);
};

/** The whole lines in `buf` and how many bytes they take (what follows the last '\n' waits for more). */
export const wholeLines = (buf: Buffer): { lines: string[]; consumed: number } => {
  const lines: string[] = [];
  let from = 0;
  for (let i = buf.indexOf(NL); i !== -1; i = buf.indexOf(NL, from)) {
    lines.push(text(buf, from, i));
    from = i + 1;
  }
  return { lines, consumed: from };
};

/**
 * The lines of a window of a stream that ends at the stream's end. `atLineStart`: the window begins a line
 * (else its first piece is the end of a line cut off, and is left out). A last line without its '\n' yet is
 * included, but `wholeBytes` stops before it, so a reader continuing there gets it whole.
 */
export const windowLines = (buf: Buffer, atLineStart: boolean): { lines: string[]; wholeBytes: number; skipped: number } => {
  let skipped = 0;
  if (!atLineStart) {
    const first = buf.indexOf(NL);
    skipped = first === -1 ? buf.length : first + 1;
  }
  const rest = buf.subarray(skipped);
  const { lines, consumed } = wholeLines(rest);
  if (consumed < rest.length) lines.push(text(rest, consumed, rest.length));
  return { lines, wholeBytes: skipped + consumed, skipped };
};

/** Whether a line matches a search: a substring, case-insensitively; no search matches all. */
export const matcher = (q: string | undefined): ((line: string) => boolean) => {
  if (q === undefined || q === '') return () => true;
  const needle = q.toLowerCase();
  return (line) => line.toLowerCase().includes(needle);
};
