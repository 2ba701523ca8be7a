// A minimal Jupyter kernel client over a Jupyter server's WebSocket (/api/kernels/<id>/channels), message
// protocol 5.3, in either of the two WebSocket framings the servers speak:
// - 'json' (default): one text frame per message, JSON with header / parent_header / metadata / content /
//   channel. The only one of notebook 6 / jupyter_server 1; jupyter_server 2 still speaks it to a client
//   that asks for no subprotocol.
// - 'v1': the `v1.kernel.websocket.jupyter.org` subprotocol of jupyter_server 2 (what JupyterLab 4 uses):
//   binary frames, a little-endian u64 count of offsets, the u64 offsets (the last one is the end of the
//   frame), then channel, header, parent_header, metadata, content (JSON) and any buffers.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openWs } from './load.mjs';

export const V1_SUBPROTOCOL = 'v1.kernel.websocket.jupyter.org';

/** A message as a v1 frame: [channel, header, parent_header, metadata, content] (no buffers). */
export const encodeV1 = (msg) => {
  const parts = [msg.channel, JSON.stringify(msg.header), JSON.stringify(msg.parent_header), JSON.stringify(msg.metadata), JSON.stringify(msg.content)].map((s) =>
    Buffer.from(s, 'utf8'),
  );
  const count = parts.length + 1; // a start per part, and the end
  const out = Buffer.alloc(8 * (1 + count) + parts.reduce((a, b) => a + b.length, 0));
  out.writeBigUInt64LE(BigInt(count), 0);
  let offset = 8 * (1 + count);
  for (const [i, p] of parts.entries()) {
    out.writeBigUInt64LE(BigInt(offset), 8 * (i + 1));
    p.copy(out, offset);
    offset += p.length;
  }
  out.writeBigUInt64LE(BigInt(offset), 8 * count);
  return out;
};

/**
 * A v1 frame as { channel, header, parent_header, metadata, content, buffers }, plus msg_type (from the
 * header), which the JSON protocol's messages carry at the top level too.
 */
export const decodeV1 = (b) => {
  const n = Number(b.readBigUInt64LE(0));
  if (n < 6) throw new Error(`v1 frame with ${n} offsets`);
  const offsets = Array.from({ length: n }, (_, i) => Number(b.readBigUInt64LE(8 * (i + 1))));
  const part = (i) => b.subarray(offsets[i], i + 1 < n ? offsets[i + 1] : b.length);
  const json = (i) => JSON.parse(part(i).toString('utf8'));
  const buffers = [];
  for (let i = 5; i < n - 1; i++) buffers.push(part(i));
  const header = json(1);
  return { channel: part(0).toString('utf8'), header, msg_type: header.msg_type, parent_header: json(2), metadata: json(3), content: json(4), buffers };
};

/**
 * Connects to a kernel's channels. `protocol`: 'json' (no subprotocol asked for) or 'v1' (asks for
 * v1.kernel.websocket.jupyter.org, and fails when the server does not select it).
 */
export const kernelClient = async (wsUrl, headers, { timeoutMs = 30_000, protocol = 'json' } = {}) => {
  if (protocol !== 'json' && protocol !== 'v1') throw new Error(`unknown kernel WebSocket protocol ${protocol}`);
  const session = randomUUID();
  let received = 0;
  const ws = await openWs(`${wsUrl}?session_id=${session}`, headers, protocol === 'v1' ? [V1_SUBPROTOCOL] : undefined);
  if (protocol === 'v1' && ws.protocol !== V1_SUBPROTOCOL) {
    ws.terminate();
    throw new Error(`the server did not select ${V1_SUBPROTOCOL} (got "${ws.protocol}")`);
  }
  const waiting = new Map(); // msg_id → handler(msg, now)
  ws.on('message', (data) => {
    const now = performance.now();
    received++;
    const m = protocol === 'v1' ? decodeV1(data) : JSON.parse(String(data));
    const h = waiting.get(m.parent_header?.msg_id);
    if (h) h(m, now);
  });
  const send = (msgType, content, metadata = {}) => {
    const msgId = randomUUID();
    const msg = {
      header: { msg_id: msgId, username: 'bench', session, date: new Date().toISOString(), msg_type: msgType, version: '5.3' },
      parent_header: {},
      metadata,
      content,
      channel: 'shell',
      buffers: [],
    };
    return { msgId, raw: protocol === 'v1' ? encodeV1(msg) : JSON.stringify(msg) };
  };
  const withTimeout = (p, what) =>
    Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs).unref())]);

  /** kernel_info_request until it answers (the kernel may still be starting). */
  const ready = async () => {
    const { msgId, raw } = send('kernel_info_request', {});
    const p = new Promise((resolve) => waiting.set(msgId, (m) => m.msg_type === 'kernel_info_reply' && resolve(m)));
    ws.send(raw);
    const reply = await withTimeout(p, 'kernel_info_request');
    waiting.delete(msgId);
    return reply;
  };

  /**
   * Sends execute_request for `code` (with `metadata`, e.g. JupyterLab's cellId); resolves the times (ms from
   * the send) of execute_reply and of the iopub status idle, the text/plain result and what it printed.
   */
  const execute = async (code, { metadata = {} } = {}) => {
    const { msgId, raw } = send('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, metadata);
    let reply = NaN;
    let idle = NaN;
    let result;
    let status;
    let stdout = '';
    let t0 = 0;
    const p = new Promise((resolve) => {
      waiting.set(msgId, (m, now) => {
        if (m.msg_type === 'execute_reply') {
          reply = now - t0;
          status = m.content.status;
        } else if (m.msg_type === 'execute_result') result = m.content.data?.['text/plain'];
        else if (m.msg_type === 'stream' && m.content.name === 'stdout') stdout += m.content.text;
        else if (m.msg_type === 'status' && m.content.execution_state === 'idle') idle = now - t0;
        if (Number.isFinite(reply) && Number.isFinite(idle)) resolve();
      });
    });
    t0 = performance.now();
    ws.send(raw);
    await withTimeout(p, 'execute_request');
    waiting.delete(msgId);
    return { replyMs: reply, idleMs: idle, status, result, stdout };
  };

  /**
   * Sends `n` execute_requests for `code` at once (as "run all" does) and resolves when every reply and
   * idle has come: { messages (all received meanwhile), ms }.
   */
  const burst = async (code, n) => {
    const before = received;
    const requests = Array.from({ length: n }, () => send('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false }));
    const done = requests.map(
      ({ msgId }) =>
        new Promise((resolve) => {
          let replied = false;
          let idle = false;
          waiting.set(msgId, (m) => {
            if (m.msg_type === 'execute_reply') replied = true;
            else if (m.msg_type === 'status' && m.content.execution_state === 'idle') idle = true;
            if (replied && idle) resolve();
          });
        }),
    );
    const t0 = performance.now();
    for (const r of requests) ws.send(r.raw);
    await withTimeout(Promise.all(done), 'execute_request burst');
    const ms = performance.now() - t0;
    for (const r of requests) waiting.delete(r.msgId);
    return { messages: received - before, ms };
  };
  return { ready, execute, burst, session, protocol, close: () => ws.terminate() };
};
