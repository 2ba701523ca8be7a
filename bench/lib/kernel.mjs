// A minimal Jupyter kernel client over the notebook server's WebSocket (/api/kernels/<id>/channels):
// JSON messages with header / parent_header / metadata / content / channel (protocol 5.3).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openWs } from './load.mjs';

export const kernelClient = async (wsUrl, headers, { timeoutMs = 30_000 } = {}) => {
  const session = randomUUID();
  let received = 0;
  const ws = await openWs(`${wsUrl}?session_id=${session}`, headers);
  const waiting = new Map(); // msg_id → handler(msg, now)
  ws.on('message', (data) => {
    const now = performance.now();
    received++;
    const m = JSON.parse(String(data));
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
    return { msgId, raw: JSON.stringify(msg) };
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
  return { ready, execute, burst, session, close: () => ws.terminate() };
};
