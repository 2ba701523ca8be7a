/**
 * Reads WebSocket messages (RFC 6455) out of one direction of a byte stream that is being forwarded as
 * is. Control frames are skipped; fragmented messages are joined. What is kept of a message is bounded
 * (ReaderLimits): a large message keeps only its first bytes, where a kernel message has its header.
 */
export interface WsMessage {
  binary: boolean;
  /** The whole message; when `truncated`, only its first bytes (at most `headBytes`; none when it was skipped). */
  payload: Buffer;
  truncated: boolean;
}

/** What to keep of a message past its first `headBytes`: all of it (up to `maxBytes`), its head only, or nothing. */
export type Keep = 'whole' | 'head' | 'none';

/** Bytes held by readers beyond their messages' heads, shared by all of them (so many connections stay bounded together). */
export interface ByteBudget {
  take(n: number): boolean;
  give(n: number): void;
}

export const byteBudget = (limit: number): ByteBudget & { readonly used: number } => {
  let used = 0;
  return {
    take: (n) => {
      if (used + n > limit) return false;
      used += n;
      return true;
    },
    give: (n) => {
      used -= n;
    },
    get used() {
      return used;
    },
  };
};

export interface ReaderLimits {
  /** The largest message kept whole; a longer one is reported `truncated` with its head. */
  maxBytes: number;
  /** How much of a message is kept before anything is decided about it (at most maxBytes). */
  headBytes: number;
  /**
   * Called once for a message longer than `headBytes`, with its first `headBytes` bytes: what to keep of it.
   * Absent: 'whole'.
   */
  decide?: ((head: Buffer, binary: boolean) => Keep) | undefined;
  /** Every byte kept past the head is taken from here first; when it runs out the message keeps its head only. */
  budget?: ByteBudget | undefined;
}

const enum Stage {
  Header,
  Payload,
}

/** What is being kept of the current message. */
const enum Mode {
  /** Still within its first headBytes. */
  Head,
  Whole,
  /** Past its head, and only the head is kept (or nothing: `head` empty). */
  Cut,
}

const EMPTY: Buffer = Buffer.alloc(0);

export class WsMessageReader {
  /** A frame header cut across chunks (only headers wait here: payloads are taken as they come). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private stage = Stage.Header;
  // The frame being read.
  private opcode = 0;
  private fin = false;
  private masked = false;
  private readonly mask = new Uint8Array(4);
  private remaining = 0;
  private maskOffset = 0;
  // The message being assembled: its first part, and the others when it came in several (frames or chunks).
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;
  private binary = false;
  private mode = Mode.Head;
  /** The kept head of a message cut short. */
  private head: Buffer = EMPTY;
  /** Bytes of the current message taken from the budget. */
  private reserved = 0;
  private control = false;
  private readonly limits: ReaderLimits;
  /** Set when the stream is not WebSocket framing we understand (then it is left alone). */
  broken = false;

  /** `limits` as a number: messages up to that size, nothing kept of longer ones. */
  constructor(
    private readonly onMessage: (m: WsMessage) => void,
    limits: number | ReaderLimits,
  ) {
    const l = typeof limits === 'number' ? { maxBytes: limits, headBytes: 0 } : limits;
    this.limits = { ...l, headBytes: Math.min(l.headBytes, l.maxBytes) };
  }

  /** Reads a chunk by offsets: a payload is the only view taken of it (this runs for every chunk of kernel traffic). */
  push(chunk: Buffer): void {
    if (this.broken) return;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      buf = Buffer.concat([...this.pending, chunk]);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const end = buf.length;
    let at = 0;
    while (at < end) {
      if (this.stage === Stage.Header) {
        const used = this.readHeader(buf, at);
        if (used === 0) {
          this.pending = [buf.subarray(at)];
          this.pendingBytes = end - at;
          return;
        }
        if (this.broken) return this.drop();
        at += used;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const take = Math.min(this.remaining, end - at);
      this.payload(buf, at, at + take);
      this.remaining -= take;
      at += take;
      if (this.remaining === 0) this.endFrame();
    }
  }

  /** Bytes kept of the message being read. */
  heldBytes(): number {
    let n = this.head.length;
    if (this.more) for (const p of this.more) n += p.length;
    else if (this.first) n += this.first.length;
    return n;
  }

  /** The connection closed: what the message being read holds is let go (its budget returned). */
  close(): void {
    this.drop();
    this.broken = true;
  }

  /** Parses a frame header at b[at…]; returns the bytes used, 0 when it is not all there yet. */
  private readHeader(b: Buffer, at: number): number {
    const avail = b.length - at;
    if (avail < 2) return 0;
    const b0 = b[at] as number;
    const b1 = b[at + 1] as number;
    let len = b1 & 0x7f;
    let used = 2;
    if (len === 126) {
      if (avail < 4) return 0;
      len = b.readUInt16BE(at + 2);
      used = 4;
    } else if (len === 127) {
      if (avail < 10) return 0;
      const big = b.readBigUInt64BE(at + 2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.broken = true;
        return 1;
      }
      len = Number(big);
      used = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) {
      if (avail < used + 4) return 0;
      for (let k = 0; k < 4; k++) this.mask[k] = b[at + used + k] as number;
      used += 4;
    }
    this.masked = masked;
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = b0 & 0x0f;
    // Compressed frames (RSV1) are not read: the proxy keeps permessage-deflate off on tapped sockets.
    if ((b0 & 0x70) !== 0) this.broken = true;
    this.remaining = len;
    this.maskOffset = 0;
    this.stage = Stage.Payload;
    if (this.opcode >= 0x8) this.control = true;
    else if (this.opcode !== 0) {
      this.binary = this.opcode === 0x2;
      this.drop();
    }
    return used;
  }

  /** Payload bytes b[start, end) of the current frame. */
  private payload(b: Buffer, start: number, end: number): void {
    if (this.control || end === start) return;
    const before = this.size;
    this.size += end - start;
    if (this.mode === Mode.Head) {
      // The common case, one comparison: a message within its head is kept as it comes.
      if (this.size <= this.limits.headBytes) {
        this.keep(b, start, end);
        return;
      }
      const split = start + (this.limits.headBytes - before);
      this.keep(b, start, split);
      this.pastHead();
      start = split;
    }
    if (this.mode === Mode.Whole) {
      const n = end - start;
      if (this.size <= this.limits.maxBytes && (!this.limits.budget || this.limits.budget.take(n))) {
        this.reserved += this.limits.budget ? n : 0;
        this.keep(b, start, end);
        return;
      }
      this.cut(true);
    }
    // Cut: the rest of the message passes unread.
    this.maskOffset += end - start;
  }

  /** The message just grew past its head: what to keep of the rest. */
  private pastHead(): void {
    const decide = this.limits.decide;
    if (!decide) {
      this.mode = Mode.Whole;
      return;
    }
    const head = this.joined();
    const keep = decide(head, this.binary);
    if (keep === 'whole') {
      this.first = head;
      this.more = undefined;
      this.mode = Mode.Whole;
    } else {
      this.head = keep === 'head' ? head : EMPTY;
      this.first = this.more = undefined;
      this.mode = Mode.Cut;
    }
  }

  /** Stops keeping the current message; its head stays when `keepHead`. */
  private cut(keepHead: boolean): void {
    if (keepHead && this.limits.headBytes > 0) {
      const parts = this.more ?? (this.first ? [this.first] : []);
      this.head = Buffer.concat(parts, Math.min(this.limits.headBytes, this.size));
    }
    this.first = this.more = undefined;
    this.release();
    this.mode = Mode.Cut;
  }

  /** Keeps payload bytes b[start, end), unmasked (a copy then; a view of the chunk otherwise). */
  private keep(b: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    let part: Buffer;
    if (this.masked) {
      part = Buffer.allocUnsafe(n);
      const mask = this.mask;
      const offset = this.maskOffset;
      for (let i = 0; i < n; i++) part[i] = (b[start + i] as number) ^ (mask[(offset + i) & 3] as number);
      this.maskOffset += n;
    } else part = b.subarray(start, end);
    if (this.first === undefined) this.first = part;
    else (this.more ??= [this.first]).push(part);
  }

  private joined(): Buffer {
    return this.more ? Buffer.concat(this.more) : (this.first ?? EMPTY);
  }

  private release(): void {
    if (this.reserved > 0) this.limits.budget?.give(this.reserved);
    this.reserved = 0;
  }

  /** Forgets the message being assembled. */
  private drop(): void {
    this.first = this.more = undefined;
    this.head = EMPTY;
    this.size = 0;
    this.mode = Mode.Head;
    this.release();
  }

  private endFrame(): void {
    this.stage = Stage.Header;
    if (this.control) {
      this.control = false;
      return;
    }
    if (!this.fin) return;
    const truncated = this.mode === Mode.Cut;
    const payload = truncated ? this.head : this.joined();
    this.drop();
    this.onMessage({ binary: this.binary, payload, truncated });
  }
}
