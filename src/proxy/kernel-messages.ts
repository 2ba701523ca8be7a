import type { KernelMessage, MessageDirection } from '../core/kernel-tap.js';
import { objectPrefix } from './json-prefix.js';
import type { WsMessage } from './ws-frames.js';

/** Jupyter's binary kernel WebSocket subprotocol (jupyter_server 2); without it, the JSON protocol. */
export const V1_SUBPROTOCOL = 'v1.kernel.websocket.jupyter.org';

/** Which message types a reader needs (header.msg_type); others may be dropped before they are parsed. */
export type WantedTypes = (msgType: string) => boolean;

type Obj = Record<string, unknown>;
const EMPTY: Obj = Object.freeze({});
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : EMPTY);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const fromParsed = (direction: MessageDirection, m: Obj, channelHint: string, partial = false): KernelMessage => {
  const header = obj(m['header']);
  const parent = obj(m['parent_header']);
  const content = obj(m['content']);
  const metadata = obj(m['metadata']);
  const km: KernelMessage = {
    direction,
    channel: str(m['channel']) || channelHint,
    msgType: str(header['msg_type']),
    msgId: str(header['msg_id']),
    parentMsgId: str(parent['msg_id']),
    session: str(header['session']),
    content: () => content,
    metadata: () => metadata,
  };
  if (partial) km.partial = true;
  return km;
};

const parseJson = (b: Buffer): Obj | undefined => {
  try {
    return obj(JSON.parse(b.toString('utf8')));
  } catch {
    return undefined;
  }
};

/** A message read from its first bytes only: the header must be there whole; of the rest, what is complete. */
const fromHead = (direction: MessageDirection, json: Buffer, wanted: WantedTypes | undefined): KernelMessage | undefined => {
  const type = peekMsgType(json);
  if (type !== undefined && wanted && !wanted(type)) return undefined;
  const m = objectPrefix(json);
  if (!m || !isObj(m['header'])) return undefined;
  const km = fromParsed(direction, m, '', true);
  return wanted && !wanted(km.msgType) ? undefined : km;
};

/** The offsets table of a v1 message (at least the six parts' offsets), or undefined when `b` does not hold it. */
const v1Offsets = (b: Buffer): number[] | undefined => {
  if (b.length < 8) return undefined;
  const n = Number(b.readBigUInt64LE(0));
  if (n < 6 || b.length < 8 * (n + 1)) return undefined;
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push(Number(b.readBigUInt64LE(8 * (i + 1))));
  return offsets;
};

/**
 * v1 (jupyter_server's serialize_msg_to_ws_v1, JupyterLab's serializeV1KernelWebsocketJupyterOrg): uint64 LE
 * count, that many uint64 LE offsets (where the channel, header, parent, metadata, content and each buffer
 * start, then where the message ends), then those parts.
 */
const decodeV1 = (direction: MessageDirection, b: Buffer, wanted: WantedTypes | undefined): KernelMessage | undefined => {
  const offsets = v1Offsets(b);
  if (!offsets) return undefined;
  const n = offsets.length;
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
  if (wanted && !wanted(str(header['msg_type']))) return undefined;
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

/**
 * A v1 message from its first bytes only (kept apart from decodeV1, which every message takes: folding the
 * two together cost that path ~10 %, measured). The offsets, the channel and both headers must be in `b`;
 * metadata and content are read as far as they go.
 */
const decodeV1Head = (direction: MessageDirection, b: Buffer, wanted: WantedTypes | undefined): KernelMessage | undefined => {
  const offsets = v1Offsets(b);
  if (!offsets) return undefined;
  const n = offsets.length;
  // The last offset is where the whole message ends.
  const end = offsets[n - 1] as number;
  const part = (i: number): { buf: Buffer; whole: boolean } | undefined => {
    const a = offsets[i] as number;
    const z = offsets[i + 1] as number;
    if (!(a <= z && z <= end) || a > b.length) return undefined;
    return { buf: b.subarray(a, Math.min(z, b.length)), whole: z <= b.length };
  };
  const channel = part(0);
  const headerPart = part(1);
  const parentPart = part(2);
  if (!channel?.whole || !headerPart?.whole || !parentPart?.whole) return undefined;
  const header = parseJson(headerPart.buf);
  if (!header) return undefined;
  if (wanted && !wanted(str(header['msg_type']))) return undefined;
  const parent = parseJson(parentPart.buf) ?? EMPTY;
  const read = (i: number): Obj => {
    const p = part(i);
    return (p && (p.whole ? parseJson(p.buf) : objectPrefix(p.buf))) ?? EMPTY;
  };
  let content: Obj | undefined;
  let metadata: Obj | undefined;
  return {
    direction,
    channel: channel.buf.toString('utf8'),
    msgType: str(header['msg_type']),
    msgId: str(header['msg_id']),
    parentMsgId: str(parent['msg_id']),
    session: str(header['session']),
    content: () => (content ??= read(4)),
    metadata: () => (metadata ??= read(3)),
    partial: true,
  };
};

/**
 * Legacy binary messages (the JSON protocol with buffers; jupyter_server's serialize_binary_message): uint32 BE
 * count, that many uint32 BE offsets (where the JSON and each buffer start), the JSON, the buffers.
 */
const decodeLegacyBinary = (direction: MessageDirection, b: Buffer, wanted: WantedTypes | undefined, cut: boolean): KernelMessage | undefined => {
  if (b.length < 8) return undefined;
  const n = b.readUInt32BE(0);
  if (n < 1 || b.length < 4 * (n + 1)) return undefined;
  const start = b.readUInt32BE(4);
  const end = n > 1 ? b.readUInt32BE(8) : cut ? Infinity : b.length;
  if (start > end || start > b.length) return undefined;
  if (end > b.length) return cut ? fromHead(direction, b.subarray(start), wanted) : undefined;
  const json = b.subarray(start, end);
  if (wanted && !wantedJson(json, wanted)) return undefined;
  const m = parseJson(json);
  return m && fromParsed(direction, m, '');
};

// What jupyter_server writes (json.dumps of the message dict): the header first, its msg_id then its msg_type.
const HEAD = '{"header": {"msg_id": "';
const THEN_TYPE = '", "msg_type": "';

/**
 * header.msg_type read off the start of a message in jupyter_server's layout, without parsing it; undefined
 * when the message does not start so (it is then parsed to be read). Most of a kernel's traffic is output
 * (stream, display_data, execute_result): read this way, an output no one needs is never parsed. (A message
 * that names its type twice, which JSON.parse would read as the last one, is not something a server sends.)
 */
export const peekMsgType = (b: Buffer): string | undefined => {
  const head = b.toString('latin1', 0, Math.min(b.length, 256));
  if (!head.startsWith(HEAD)) return undefined;
  const idEnd = head.indexOf('"', HEAD.length);
  if (idEnd < 0 || !head.startsWith(THEN_TYPE, idEnd)) return undefined;
  const typeStart = idEnd + THEN_TYPE.length;
  const typeEnd = head.indexOf('"', typeStart);
  if (typeEnd < 0) return undefined;
  // An escape in either string: read it the long way.
  const escape = head.indexOf('\\', HEAD.length);
  if (escape >= 0 && escape < typeEnd) return undefined;
  return head.slice(typeStart, typeEnd);
};

/** False when the JSON message is known, from its start, to be of a type not wanted. */
const wantedJson = (json: Buffer, wanted: WantedTypes): boolean => {
  const type = peekMsgType(json);
  return type === undefined || wanted(type);
};

/**
 * One WebSocket message of a kernel channel as a KernelMessage, or undefined when it is not one we can
 * read, or when `wanted` says its type is not needed (such a message may be left unparsed, see peekMsgType;
 * one of a type wanted is read whole as before). A message the reader cut short (`truncated`: its first bytes
 * only) is read as far as they go: its header, and what is complete of the rest (`partial`).
 */
export const decodeKernelMessage = (direction: MessageDirection, m: WsMessage, subprotocol: string, wanted?: WantedTypes): KernelMessage | undefined => {
  const cut = m.truncated;
  if (m.binary) {
    if (subprotocol !== V1_SUBPROTOCOL) return decodeLegacyBinary(direction, m.payload, wanted, cut);
    return cut ? decodeV1Head(direction, m.payload, wanted) : decodeV1(direction, m.payload, wanted);
  }
  if (cut) return fromHead(direction, m.payload, wanted);
  if (wanted && !wantedJson(m.payload, wanted)) return undefined;
  const parsed = parseJson(m.payload);
  if (!parsed) return undefined;
  const km = fromParsed(direction, parsed, '');
  // Not in jupyter_server's layout (so not peeked): the type is known now.
  return wanted && !wanted(km.msgType) ? undefined : km;
};

/** header.msg_type of a message from its first bytes (undefined: not in them, or not a kernel message). */
export const msgTypeOfHead = (head: Buffer, binary: boolean, subprotocol: string): string | undefined => {
  if (!binary) {
    const peeked = peekMsgType(head);
    if (peeked !== undefined) return peeked;
  }
  const m = decodeKernelMessage('to_kernel', { binary, payload: head, truncated: true }, subprotocol);
  return m?.msgType || undefined;
};

/** Terminal WebSocket (terminado): the client's `["stdin", data]` frames are what a person typed. */
export const isTerminalInput = (m: WsMessage): boolean => {
  if (m.binary || m.truncated || m.payload.length < 9) return false;
  // A cheap prefix check: terminado frames are JSON arrays whose first item names the kind.
  return /^\s*\[\s*"stdin"/.test(m.payload.subarray(0, 32).toString('utf8'));
};
