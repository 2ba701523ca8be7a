/**
 * Reads what can be read of a JSON object whose text was cut short: the members complete before the cut,
 * and, when the member cut is itself an object, what can be read of it the same way. A kernel message too
 * large to keep whole is read so from its first bytes: its header and parent header come first in
 * jupyter_server's layout, and in a reply's content the status comes before the traceback.
 */
type Obj = Record<string, unknown>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

const skipSpace = (b: Buffer, i: number): number => {
  while (i < b.length && isSpace(b[i] as number)) i++;
  return i;
};

/** b[i] is a quote: the index after the string's closing quote, or -1 when the string is cut. */
const stringEnd = (b: Buffer, i: number): number => {
  let q = b.indexOf(QUOTE, i + 1);
  while (q >= 0) {
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    // An even number of backslashes before the quote: it is not escaped.
    if ((q - 1 - k) % 2 === 0) return q + 1;
    q = b.indexOf(QUOTE, q + 1);
  }
  return -1;
};

/** The index after the JSON value that starts at b[i], or -1 when it is cut (a number at the very end counts as cut). */
const valueEnd = (b: Buffer, i: number): number => {
  const c = b[i];
  if (c === undefined) return -1;
  if (c === QUOTE) return stringEnd(b, i);
  if (c === OPEN || c === OPEN_ARRAY) {
    let depth = 0;
    for (let k = i; k < b.length; k++) {
      const d = b[k] as number;
      if (d === QUOTE) {
        const e = stringEnd(b, k);
        if (e < 0) return -1;
        k = e - 1;
      } else if (d === OPEN || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE || d === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    return -1;
  }
  for (let k = i; k < b.length; k++) {
    const d = b[k] as number;
    if (d === COMMA || d === CLOSE || d === CLOSE_ARRAY || isSpace(d)) return k;
  }
  return -1;
};

const parse = (b: Buffer, start: number, end: number): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(b.toString('utf8', start, end)) };
  } catch {
    return { ok: false };
  }
};

/**
 * The members of the object starting at b[at] (after any white space) that are complete in `b`; a member
 * cut short is included only when it is an object (read the same way, `depth` levels down). Undefined when
 * `b` does not start an object, or is not JSON as far as it goes.
 */
export const objectPrefix = (b: Buffer, at = 0, depth = 1): Obj | undefined => {
  let i = skipSpace(b, at);
  if (b[i] !== OPEN) return undefined;
  const out: Obj = {};
  i = skipSpace(b, i + 1);
  if (b[i] === CLOSE) return out;
  while (i < b.length) {
    if (b[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(b, i);
    if (keyEnd < 0) return out;
    const key = parse(b, i, keyEnd);
    if (!key.ok) return undefined;
    i = skipSpace(b, keyEnd);
    if (i >= b.length) return out;
    if (b[i] !== COLON) return undefined;
    i = skipSpace(b, i + 1);
    if (i >= b.length) return out;
    const end = valueEnd(b, i);
    if (end < 0) {
      if (b[i] === OPEN && depth > 0) {
        const inner = objectPrefix(b, i, depth - 1);
        if (inner) out[key.value as string] = inner;
      }
      return out;
    }
    const value = parse(b, i, end);
    if (!value.ok) return undefined;
    out[key.value as string] = value.value;
    i = skipSpace(b, end);
    if (i >= b.length || b[i] === CLOSE) return out;
    if (b[i] !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
  return out;
};
