import { deflateSync, gzipSync } from 'node:zlib';

/**
 * GELF over UDP (GELF spec, "GELF via UDP"): a message is compressed whole (gzip or zlib), then, when it does
 * not fit one datagram, split into chunks, each prefixed by 12 bytes: the magic 0x1e 0x0f, a message id (8
 * bytes, the same in every chunk), the sequence number (1 byte, from 0) and the sequence count (1 byte). A
 * message has at most 128 chunks. Pure: no sockets here.
 */
export const CHUNK_MAGIC = Buffer.from([0x1e, 0x0f]);
export const CHUNK_HEADER_BYTES = 12;
export const MAX_CHUNKS = 128;

export type GelfCompression = 'gzip' | 'zlib' | 'none';

export const compress = (payload: Buffer, how: GelfCompression): Buffer => {
  switch (how) {
    case 'gzip':
      return gzipSync(payload);
    case 'zlib':
      return deflateSync(payload);
    case 'none':
      return payload;
  }
};

/** The most payload bytes one message can have with datagrams of `chunkSize` bytes. */
export const maxMessageBytes = (chunkSize: number): number => MAX_CHUNKS * (chunkSize - CHUNK_HEADER_BYTES);

/**
 * The datagrams of one (already compressed) message: itself when it fits `chunkSize`, else its chunks. The
 * caller keeps it within maxMessageBytes (encodeGelfUdp cuts the line); a longer one throws.
 */
export const chunkMessage = (payload: Buffer, chunkSize: number, messageId: Buffer): Buffer[] => {
  if (payload.length <= chunkSize) return [payload];
  const data = chunkSize - CHUNK_HEADER_BYTES;
  const count = Math.ceil(payload.length / data);
  if (count > MAX_CHUNKS) throw new RangeError(`a GELF message needs ${count} chunks, more than ${MAX_CHUNKS}`);
  const chunks: Buffer[] = [];
  for (let seq = 0; seq < count; seq++) {
    const part = payload.subarray(seq * data, (seq + 1) * data);
    const chunk = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + part.length);
    CHUNK_MAGIC.copy(chunk, 0);
    messageId.copy(chunk, 2, 0, 8);
    chunk[10] = seq;
    chunk[11] = count;
    part.copy(chunk, CHUNK_HEADER_BYTES);
    chunks.push(chunk);
  }
  return chunks;
};

export interface UdpEncoding {
  datagrams: Buffer[];
  /** The line was cut to fit 128 chunks. */
  truncated: boolean;
}

const TRUNCATED = ' [truncated]';

/**
 * A message's datagrams; `message(text)` renders the GELF JSON around a line's text. When the compressed
 * message needs more than 128 chunks, the text is cut, in proportion to the excess, until it fits (compression
 * makes the size after a cut hard to know in advance; a few rounds at most), and marked as cut.
 */
export const encodeGelfUdp = (text: string, message: (text: string) => string, o: { compression: GelfCompression; chunkSize: number; messageId: Buffer }): UdpEncoding => {
  const limit = maxMessageBytes(o.chunkSize);
  let payload = compress(Buffer.from(message(text)), o.compression);
  let truncated = false;
  let keep = text.length;
  while (payload.length > limit) {
    truncated = true;
    keep = keep === 0 ? 0 : Math.floor((keep * limit * 0.9) / payload.length);
    payload = compress(Buffer.from(message(text.slice(0, keep) + TRUNCATED)), o.compression);
    if (keep === 0 && payload.length > limit) throw new RangeError('a GELF message without its text does not fit 128 chunks');
  }
  return { datagrams: chunkMessage(payload, o.chunkSize, o.messageId), truncated };
};
