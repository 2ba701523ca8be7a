import type { KernelMessage, MessageDirection } from '../core/kernel-tap.js';
import type { WsMessage } from './ws-frames.js';

/** Jupyter's binary kernel WebSocket subprotocol (jupyter_server 2); without it, the JSON protocol. */
export const V1_SUBPROTOCOL = 'v1.kernel.websocket.jupyter.org';

type Obj = Record<string, unknown>;
const EMPTY: Obj = Object.freeze({});

const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : EMPTY);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const fromParsed = (direction: MessageDirection, m: Obj, channelHint: string): KernelMessage => {
  const header = obj(m['header']);
  const parent = obj(m['parent_header']);
  const content = obj(m['content']);
  const metadata = obj(m['metadata']);
  return {
    direction,
    channel: str(m['channel']) || channelHint,
    msgType: str(header['msg_type']),
    msgId: str(header['msg_id']),
    parentMsgId: str(parent['msg_id']),
    session: str(header['session']),
    content: () => content,
    metadata: () => metadata,
  };
};

const parseJson = (b: Buffer): Obj | undefined => {
  try {
    return obj(JSON.parse(b.toString('utf8')));
  } catch {
    return undefined;
  }
};

/** v1: uint64 LE count, that many uint64 LE offsets, then channel, header, parent, metadata, content, buffers. */
const decodeV1 = (direction: MessageDirection, b: Buffer): KernelMessage | undefined => {
  if (b.length < 8) return undefined;
  const n = Number(b.readBigUInt64LE(0));
  if (n < 6 || b.length < 8 * (n + 1)) return undefined;
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Number(b.readBigUInt64LE(8 * (i + 1))));
  const part = (i: number): Buffer | undefined => {
    const a = offsets[i] as number;
    const z = i + 1 < n ? (offsets[i + 1] as number) : b.length;
    return a <= z && z <= b.length ? b.subarray(a, z) : undefined;
  };
  const channel = part(0);
  const headerBuf = part(1);
  const parentBuf = part(2);
  if (!channel || !headerBuf || !parentBuf) return undefined;
  const header = parseJson(headerBuf);
  if (!header) return undefined;
  const parent = parseJson(parentBuf) ?? EMPTY;
  let content: Obj | undefined;
  let metadata: Obj | undefined;
  return {
    direction,
    channel: channel.toString('utf8'),
    msgType: str(header['msg_type']),
    msgId: str(header['msg_id']),
    parentMsgId: str(parent['msg_id']),
    session: str(header['session']),
    content: () => (content ??= (part(4) && parseJson(part(4) as Buffer)) || EMPTY),
    metadata: () => (metadata ??= (part(3) && parseJson(part(3) as Buffer)) || EMPTY),
  };
};

/** Legacy binary messages (JSON protocol with buffers): uint32 BE count, uint32 BE offsets, the JSON, buffers. */
const decodeLegacyBinary = (direction: MessageDirection, b: Buffer): KernelMessage | undefined => {
  if (b.length < 8) return undefined;
  const n = b.readUInt32BE(0);
  if (n < 1 || b.length < 4 * (n + 1)) return undefined;
  const start = b.readUInt32BE(4);
  const end = n > 1 ? b.readUInt32BE(8) : b.length;
  if (start > end || end > b.length) return undefined;
  const m = parseJson(b.subarray(start, end));
  return m && fromParsed(direction, m, '');
};

/**
 * One WebSocket message of a kernel channel as a KernelMessage, or undefined when it is not one we can
 * read. A message too large to buffer keeps only its direction (its type is '').
 */
export const decodeKernelMessage = (direction: MessageDirection, m: WsMessage, subprotocol: string): KernelMessage | undefined => {
  if (m.truncated) {
    return { direction, channel: '', msgType: '', msgId: '', parentMsgId: '', session: '', content: () => EMPTY, metadata: () => EMPTY };
  }
  if (m.binary) return subprotocol === V1_SUBPROTOCOL ? decodeV1(direction, m.payload) : decodeLegacyBinary(direction, m.payload);
  const parsed = parseJson(m.payload);
  return parsed && fromParsed(direction, parsed, '');
};

/** Terminal WebSocket (terminado): the client's `["stdin", data]` frames are what a person typed. */
export const isTerminalInput = (m: WsMessage): boolean => {
  if (m.binary || m.truncated || m.payload.length < 9) return false;
  // A cheap prefix check: terminado frames are JSON arrays whose first item names the kind.
  return /^\s*\[\s*"stdin"/.test(m.payload.subarray(0, 32).toString('utf8'));
};
