import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { KernelMessage } from '../core/kernel-tap.js';
import { kernelControlOf } from './kernel-control.js';
import { decodeKernelMessage, peekMsgType, V1_SUBPROTOCOL } from './kernel-messages.js';
import { frame } from './testing.js';
import { byteBudget, WsMessageReader, type WsMessage } from './ws-frames.js';
import { isUserActivity, tappedPath, tapWebSocket } from './ws-tap.js';

const readAll = (bytes: Buffer, chunk: number, max = 1 << 20): WsMessage[] => {
  const out: WsMessage[] = [];
  const r = new WsMessageReader((m) => out.push(m), max);
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  return out;
};

const jupyterMsg = (msgType: string, content: object, extra: object = {}) =>
  JSON.stringify({ header: { msg_id: `id-${msgType}`, msg_type: msgType, session: 'sess-1' }, parent_header: {}, metadata: { cellId: 'c1' }, content, channel: 'shell', ...extra });

describe('WebSocket message reader', () => {
  const stream = Buffer.concat([
    frame('hello', { mask: true }),
    frame('x'.repeat(300), { mask: true }),
    frame('part one ', { fin: false }),
    frame('', { opcode: 9 }), // a ping between fragments
    frame('part two', { opcode: 0 }),
    frame(Buffer.alloc(70_000, 7), { opcode: 2 }),
  ]);

  it('reads masked, long, fragmented and binary messages however the bytes are chunked', () => {
    for (const chunk of [1, 2, 3, 7, 64, 1000, stream.length]) {
      const got = readAll(stream, chunk);
      expect(got.map((m) => (m.binary ? `bin:${m.payload.length}` : m.payload.toString()))).toEqual([
        'hello',
        'x'.repeat(300),
        'part one part two',
        'bin:70000',
      ]);
    }
  });

  it('reports a message over the limit without its payload, and keeps reading after it', () => {
    const got = readAll(Buffer.concat([frame('y'.repeat(5000), { mask: true }), frame('small')]), 100, 1000);
    expect(got.map((m) => [m.truncated, m.payload.toString()])).toEqual([
      [true, ''],
      [false, 'small'],
    ]);
  });

  it('stops reading compressed frames instead of misreading them', () => {
    const compressed = frame('zz');
    compressed[0] = (compressed[0] as number) | 0x40;
    const r = new WsMessageReader(() => undefined, 1000);
    r.push(compressed);
    expect(r.broken).toBe(true);
  });
});

describe('kernel messages', () => {
  it('decodes the JSON protocol', () => {
    const m = decodeKernelMessage('to_kernel', { binary: false, truncated: false, payload: Buffer.from(jupyterMsg('execute_request', { code: '1+1' })) }, '');
    expect(m).toMatchObject({ direction: 'to_kernel', channel: 'shell', msgType: 'execute_request', msgId: 'id-execute_request', session: 'sess-1' });
    expect(m?.content()).toEqual({ code: '1+1' });
    expect(m?.metadata()).toEqual({ cellId: 'c1' });
  });

  it('decodes the v1 binary subprotocol', () => {
    const parts = ['iopub', JSON.stringify({ msg_id: 'k1', msg_type: 'status', session: 's' }), JSON.stringify({ msg_id: 'p1' }), '{}', JSON.stringify({ execution_state: 'busy' })].map((p) => Buffer.from(p));
    const n = parts.length + 1;
    const head = Buffer.alloc(8 * (n + 1));
    head.writeBigUInt64LE(BigInt(n), 0);
    let at = head.length;
    for (let i = 0; i < parts.length; i++) {
      head.writeBigUInt64LE(BigInt(at), 8 * (i + 1));
      at += (parts[i] as Buffer).length;
    }
    head.writeBigUInt64LE(BigInt(at), 8 * n);
    const m = decodeKernelMessage('from_kernel', { binary: true, truncated: false, payload: Buffer.concat([head, ...parts]) }, V1_SUBPROTOCOL);
    expect(m).toMatchObject({ channel: 'iopub', msgType: 'status', msgId: 'k1', parentMsgId: 'p1' });
    expect(m?.content()).toEqual({ execution_state: 'busy' });
  });

  it('decodes legacy binary messages (JSON with buffers)', () => {
    const json = Buffer.from(jupyterMsg('comm_msg', { data: {} }));
    const head = Buffer.alloc(12);
    head.writeUInt32BE(2, 0);
    head.writeUInt32BE(12, 4);
    head.writeUInt32BE(12 + json.length, 8);
    const m = decodeKernelMessage('to_kernel', { binary: true, truncated: false, payload: Buffer.concat([head, json, Buffer.from([1, 2, 3])]) }, '');
    expect(m?.msgType).toBe('comm_msg');
  });

  // As jupyter_server writes them (json.dumps of the message dict).
  const served = (msgType: string, content: object) =>
    JSON.stringify({
      header: { msg_id: 'k_1', msg_type: msgType, username: 'u', session: 'k', date: '2026-01-01T00:00:00.000000Z', version: '5.3' },
      msg_id: 'k_1',
      msg_type: msgType,
      parent_header: { msg_id: 'p1', msg_type: 'execute_request' },
      metadata: {},
      content,
      buffers: [],
      channel: 'iopub',
    }).replace(/([,:])(?=["{[0-9tfn])/g, '$1 ');

  it("reads the type off the start of a message in jupyter_server's layout, and only there", () => {
    expect(served('status', {}).startsWith('{"header": {"msg_id": "k_1", "msg_type": "status"')).toBe(true);
    expect(peekMsgType(Buffer.from(served('status', { execution_state: 'busy' })))).toBe('status');
    expect(peekMsgType(Buffer.from(served('stream', { name: 'stdout', text: '{"header": {"msg_id": "x", "msg_type": "status"' })))).toBe('stream');
    expect(peekMsgType(Buffer.from(jupyterMsg('status', {})))).toBeUndefined(); // another key order
    const escaped = served('status', {}).replace('"k_1"', '"k\\u005f1"');
    expect(JSON.parse(escaped).header.msg_id).toBe('k_1');
    expect(peekMsgType(Buffer.from(escaped))).toBeUndefined(); // an escape: parsed instead
    expect(peekMsgType(Buffer.from('{"header": {"msg_id": "k_1", "msg_type": "sta'))).toBeUndefined();
  });

  it('leaves the types not wanted undecoded, whatever the layout, and reads the others whole', () => {
    const wanted = (t: string) => t === 'status';
    const of = (text: string) => decodeKernelMessage('from_kernel', { binary: false, truncated: false, payload: Buffer.from(text) }, '', wanted);
    expect(of(served('stream', { name: 'stdout', text: 'x' }))).toBeUndefined();
    expect(of(jupyterMsg('stream', {}))).toBeUndefined();
    const m = of(served('status', { execution_state: 'idle' }));
    expect(m).toMatchObject({ msgType: 'status', msgId: 'k_1', parentMsgId: 'p1', channel: 'iopub', session: 'k' });
    expect(m?.content()).toEqual({ execution_state: 'idle' });
    expect(of(jupyterMsg('status', { execution_state: 'busy' }))?.content()).toEqual({ execution_state: 'busy' });
    expect(decodeKernelMessage('from_kernel', { binary: false, truncated: true, payload: Buffer.alloc(0) }, '', wanted)).toBeUndefined();
  });

  it('gives nothing for what is not a kernel message', () => {
    expect(decodeKernelMessage('to_kernel', { binary: false, truncated: false, payload: Buffer.from('not json') }, '')).toBeUndefined();
    expect(decodeKernelMessage('to_kernel', { binary: true, truncated: false, payload: Buffer.from([1, 2]) }, V1_SUBPROTOCOL)).toBeUndefined();
  });
});

describe('what counts as user activity', () => {
  const msg = (direction: KernelMessage['direction'], msgType: string, content: object = {}) =>
    decodeKernelMessage(direction, { binary: false, truncated: false, payload: Buffer.from(jupyterMsg(msgType, content)) }, '') as KernelMessage;

  it('is running code or answering input(), sent by the client', () => {
    expect(isUserActivity(msg('to_kernel', 'execute_request', { code: 'x' }))).toBe(true);
    expect(isUserActivity(msg('to_kernel', 'input_reply', { value: 'y' }))).toBe(true);
  });

  it('is not what an open tab or an extension sends by itself', () => {
    expect(isUserActivity(msg('to_kernel', 'execute_request', { code: 'x', silent: true }))).toBe(false);
    // A variable inspector's request: not silent, but kept out of the history (no execution count).
    expect(isUserActivity(msg('to_kernel', 'execute_request', { code: 'whos', silent: false, store_history: false }))).toBe(false);
    for (const t of ['kernel_info_request', 'complete_request', 'inspect_request', 'comm_msg', 'comm_info_request']) expect(isUserActivity(msg('to_kernel', t))).toBe(false);
    expect(isUserActivity(msg('from_kernel', 'execute_request'))).toBe(false);
  });
});

describe('tapped paths and kernel control', () => {
  it('recognizes kernel channels and terminals under any base URL', () => {
    expect(tappedPath('/user/a/api/kernels/k-1/channels?session_id=s9')).toEqual({ kind: 'kernel', kernelId: 'k-1', sessionId: 's9' });
    expect(tappedPath('/user/a/srv/api/kernels/k-1/channels')).toEqual({ kind: 'kernel', kernelId: 'k-1', sessionId: '' });
    expect(tappedPath('/user/a/terminals/websocket/1')).toEqual({ kind: 'terminal' });
    expect(tappedPath('/user/a/api/events/subscribe')).toBeNull();
  });

  it('recognizes interrupt, restart and shutdown requests', () => {
    expect(kernelControlOf('POST', '/user/a/api/kernels/k1/interrupt')).toEqual({ kernelId: 'k1', action: 'interrupt' });
    expect(kernelControlOf('POST', '/user/a/x/api/kernels/k1/restart?_=1')).toEqual({ kernelId: 'k1', action: 'restart' });
    expect(kernelControlOf('DELETE', '/user/a/api/kernels/k1')).toEqual({ kernelId: 'k1', action: 'shutdown' });
    expect(kernelControlOf('GET', '/user/a/api/kernels/k1')).toBeNull();
    expect(kernelControlOf('POST', '/user/a/api/kernels')).toBeNull();
  });
});

describe('tapWebSocket', () => {
  it('hands each side its messages and touches activity only for what a person did', () => {
    const client = new PassThrough();
    const upstream = new PassThrough();
    const touched: number[] = [];
    const seen: string[] = [];
    let closed = false;
    tapWebSocket({
      path: { kind: 'kernel', kernelId: 'k1', sessionId: 's' },
      user: 'alice',
      server: '',
      actor: 'alice',
      subprotocol: '',
      client,
      upstream,
      clientHead: Buffer.alloc(0),
      upstreamHead: Buffer.alloc(0),
      kernelTap: {
        open: (info) => {
          expect(info).toEqual({ user: 'alice', server: '', kernelId: 'k1', sessionId: 's', actor: 'alice' });
          return { message: (m) => seen.push(`${m.direction}:${m.msgType}`), closed: () => (closed = true), fromKernel: new Set(['status']) };
        },
      },
      activity: { touch: (_u, _s, at) => touched.push(at) },
      clock: { now: () => 42 },
      budget: byteBudget(1 << 20),
    });
    client.write(frame(jupyterMsg('kernel_info_request', {}), { mask: true }));
    client.write(frame(jupyterMsg('execute_request', { code: '1' }), { mask: true }));
    upstream.write(frame(jupyterMsg('stream', { name: 'stdout', text: 'x' }, { channel: 'iopub' })));
    upstream.write(frame(jupyterMsg('status', { execution_state: 'busy' }, { channel: 'iopub' })));
    client.destroy();
    expect(seen).toEqual(['to_kernel:kernel_info_request', 'to_kernel:execute_request', 'from_kernel:status']);
    expect(touched).toEqual([42]);
    return new Promise<void>((resolve) => setImmediate(() => (expect(closed).toBe(true), resolve())));
  });

  it("does not let an extension's requests keep a runtime active, with execution recording off", () => {
    const client = new PassThrough();
    const touched: number[] = [];
    let now = 1;
    tapWebSocket({
      path: { kind: 'kernel', kernelId: 'k1', sessionId: 's' },
      user: 'alice',
      server: '',
      actor: 'alice',
      subprotocol: '',
      client,
      upstream: new PassThrough(),
      clientHead: Buffer.alloc(0),
      upstreamHead: Buffer.alloc(0),
      kernelTap: undefined,
      activity: { touch: (_u, _s, at) => touched.push(at) },
      clock: { now: () => now++ },
      budget: byteBudget(1 << 20),
    });
    // What a variable inspector sends after every cell, and a completer's helper code.
    client.write(frame(jupyterMsg('execute_request', { code: '_jupyterlab_variableinspector_dict_list()', silent: false, store_history: false }), { mask: true }));
    client.write(frame(jupyterMsg('execute_request', { code: 'dir()', silent: true, store_history: false }), { mask: true }));
    expect(touched).toEqual([]);
    client.write(frame(jupyterMsg('execute_request', { code: 'df.head()', silent: false, store_history: true }), { mask: true }));
    expect(touched).toEqual([3]);
  });
});
