/**
 * Reads WebSocket messages (RFC 6455) out of one direction of a byte stream that is being forwarded as
 * is. Control frames are skipped; fragmented messages are joined; messages over `maxBytes` are reported
 * with an empty payload and `truncated` (never buffered), so a large output costs no copy.
 */
export interface WsMessage {
  binary: boolean;
  payload: Buffer;
  truncated: boolean;
}

const enum Stage {
  Header,
  Payload,
}

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
  private truncated = false;
  private control = false;
  /** Set when the stream is not WebSocket framing we understand (then it is left alone). */
  broken = false;

  constructor(
    private readonly onMessage: (m: WsMessage) => void,
    private readonly maxBytes: number,
  ) {}

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
        if (this.broken) return;
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
      this.first = this.more = undefined;
      this.size = 0;
      this.truncated = false;
    }
    return used;
  }

  /** Payload bytes b[start, end) of the current frame. */
  private payload(b: Buffer, start: number, end: number): void {
    const n = end - start;
    if (this.control || n === 0) return;
    this.size += n;
    if (this.truncated || this.size > this.maxBytes) {
      this.truncated = true;
      this.first = this.more = undefined;
      return;
    }
    if (this.masked) {
      const out = Buffer.allocUnsafe(n);
      const mask = this.mask;
      const offset = this.maskOffset;
      for (let i = 0; i < n; i++) out[i] = (b[start + i] as number) ^ (mask[(offset + i) & 3] as number);
      this.maskOffset += n;
      this.keep(out);
    } else this.keep(b.subarray(start, end));
  }

  private keep(part: Buffer): void {
    if (this.first === undefined) this.first = part;
    else (this.more ??= [this.first]).push(part);
  }

  private endFrame(): void {
    this.stage = Stage.Header;
    if (this.control) {
      this.control = false;
      return;
    }
    if (!this.fin) return;
    const payload = this.truncated ? EMPTY : this.more ? Buffer.concat(this.more) : (this.first ?? EMPTY);
    this.first = this.more = undefined;
    this.onMessage({ binary: this.binary, payload, truncated: this.truncated });
  }
}

const EMPTY = Buffer.alloc(0);
