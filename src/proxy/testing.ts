/** WebSocket frames and kernel messages as the two ends of a kernel connection write them, for the proxy's tests. */

/** One WebSocket frame as a client (masked) or a server (unmasked) sends it. */
export const frame = (payload: Buffer | string, o: { opcode?: number; fin?: boolean; mask?: boolean } = {}): Buffer => {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = data.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (len >= 126 && len < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65_536) {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  head[0] = ((o.fin ?? true) ? 0x80 : 0) | (o.opcode ?? 1);
  if (!o.mask) return Buffer.concat([head, data]);
  head[1] = (head[1] as number) | 0x80;
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = (data[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([head, key, masked]);
};

/**
 * A v1 message as jupyter_server writes it (serialize_msg_to_ws_v1): the count of offsets (uint64 LE), the
 * offsets (where the channel and each part start, then where the message ends), the channel, then the parts
 * (header, parent header, metadata, content, buffers) as the kernel sent them.
 */
export const serverV1 = (channel: string, parts: Array<Buffer | string>): Buffer => {
  const ch = Buffer.from(channel, 'utf8');
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const offsets = [8 * (1 + 1 + bufs.length + 1)];
  offsets.push(offsets[0] as number + ch.length);
  for (const b of bufs) offsets.push((offsets[offsets.length - 1] as number) + b.length);
  const table = Buffer.alloc(8 * (offsets.length + 1));
  table.writeBigUInt64LE(BigInt(offsets.length), 0);
  offsets.forEach((o, i) => table.writeBigUInt64LE(BigInt(o), 8 * (i + 1)));
  return Buffer.concat([table, ch, ...bufs]);
};

/** What json.dumps writes (jupyter_server's JSON protocol): ", " and ": " between items. */
export const pyJson = (v: unknown): string => JSON.stringify(v).replace(/([,:])(?=["{[0-9tfn-])/g, '$1 ');

/** A kernel message as jupyter_server sends it in the JSON protocol (json.dumps of the dict session.deserialize builds). */
export const servedJson = (msgType: string, content: object, o: { parent?: string; channel?: string } = {}): string =>
  pyJson({
    header: { msg_id: 'k_1', msg_type: msgType, username: 'u', session: 'k', date: '2026-01-01T00:00:00.000000Z', version: '5.3' },
    msg_id: 'k_1',
    msg_type: msgType,
    parent_header: { msg_id: o.parent ?? 'p1', msg_type: 'execute_request' },
    metadata: {},
    content,
    buffers: [],
    channel: o.channel ?? 'iopub',
  });
