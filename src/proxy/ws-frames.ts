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
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private stage = Stage.Header;
  // The frame being read.
  private opcode = 0;
  private fin = false;
  private mask: Buffer | null = null;
  private remaining = 0;
  private maskOffset = 0;
  // The message being assembled across frames.
  private parts: Buffer[] = [];
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

  push(chunk: Buffer): void {
    if (this.broken) return;
    let buf = this.pendingBytes > 0 ? Buffer.concat([...this.pending, chunk]) : chunk;
    this.pending = [];
    this.pendingBytes = 0;
    while (buf.length > 0) {
      if (this.stage === Stage.Header) {
        const used = this.readHeader(buf);
        if (used === 0) {
          this.pending = [buf];
          this.pendingBytes = buf.length;
          return;
        }
        if (this.broken) return;
        buf = buf.subarray(used);
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const take = Math.min(this.remaining, buf.length);
      this.payload(buf.subarray(0, take));
      this.remaining -= take;
      buf = buf.subarray(take);
      if (this.remaining === 0) this.endFrame();
    }
  }

  /** Parses a frame header at the start of `b`; returns the bytes used, 0 when it is not all there yet. */
  private readHeader(b: Buffer): number {
    if (b.length < 2) return 0;
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    let len = b1 & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return 0;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return 0;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.broken = true;
        return 1;
      }
      len = Number(big);
      at = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked && b.length < at + 4) return 0;
    this.mask = masked ? Buffer.from(b.subarray(at, at + 4)) : null;
    if (masked) at += 4;
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
      this.parts = [];
      this.size = 0;
      this.truncated = false;
    }
    return at;
  }

  private payload(data: Buffer): void {
    if (this.control || data.length === 0) return;
    this.size += data.length;
    if (this.truncated || this.size > this.maxBytes) {
      this.truncated = true;
      this.parts = [];
      return;
    }
    if (this.mask) {
      const out = Buffer.allocUnsafe(data.length);
      for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (this.mask[(this.maskOffset + i) & 3] as number);
      this.maskOffset += data.length;
      this.parts.push(out);
    } else this.parts.push(data);
  }

  private endFrame(): void {
    this.stage = Stage.Header;
    if (this.control) {
      this.control = false;
      return;
    }
    if (!this.fin) return;
    const payload = this.truncated ? Buffer.alloc(0) : this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.onMessage({ binary: this.binary, payload, truncated: this.truncated });
  }
}
