/**
 * The kernel protocol as JupyterLab 4 and jupyter_server 2 speak it, through the tap: the v1 subprotocol with
 * binary buffers, the legacy binary form, and messages larger than the tap keeps whole. Client messages are
 * written by JupyterLab's own serializer (@jupyterlab/services); server messages as jupyter_server writes them.
 */
import { PassThrough } from 'node:stream';
import { KernelMessage as JLMessage, ServerConnection } from '@jupyterlab/services';
import { describe, expect, it } from 'vitest';
import type { KernelMessage } from '../core/kernel-tap.js';
import { objectPrefix } from './json-prefix.js';
import { decodeKernelMessage, msgTypeOfHead, V1_SUBPROTOCOL } from './kernel-messages.js';
import { frame, pyJson, servedJson, serverV1 } from './testing.js';
import { byteBudget, WsMessageReader, type ByteBudget, type WsMessage } from './ws-frames.js';
import { tapWebSocket } from './ws-tap.js';

const MiB = 1 << 20;
const { serializer } = ServerConnection.makeSettings({ baseUrl: 'http://127.0.0.1:1/', wsUrl: 'ws://127.0.0.1:1/' });

/** A message as JupyterLab sends it: v1 (binary) or the legacy JSON protocol (text, or binary with buffers). */
const client = (msgType: string, content: Record<string, unknown>, o: { protocol?: string; buffers?: Uint8Array[]; channel?: 'shell' | 'control' | 'stdin' } = {}) => {
  const options = {
    msgType,
    channel: o.channel ?? 'shell',
    session: 'client-session',
    content,
    metadata: { cellId: 'cell-7' },
    buffers: o.buffers ?? [],
  } as unknown as JLMessage.IOptions<JLMessage.IExecuteRequestMsg>;
  const msg = JLMessage.createMessage(options);
  const wire = serializer.serialize(msg, o.protocol ?? V1_SUBPROTOCOL);
  return { msg, binary: typeof wire !== 'string', payload: typeof wire === 'string' ? Buffer.from(wire) : Buffer.from(wire) };
};

const header = (msgType: string, msgId = 'k_1') => pyJson({ msg_id: msgId, msg_type: msgType, username: 'u', session: 'kernel-session', date: '2026-01-01T00:00:00.000000Z', version: '5.3' });
const parentOf = (msgId: string) => pyJson({ msg_id: msgId, msg_type: 'execute_request', session: 'client-session' });

const whole = (binary: boolean, payload: Buffer): WsMessage => ({ binary, payload, truncated: false });

/** Feeds `bytes` to a reader in chunks of `chunk`, returning what it reported and the most it held at once (in the budget). */
const read = (bytes: Buffer, limits: ConstructorParameters<typeof WsMessageReader>[1], chunk = 64 * 1024) => {
  const out: WsMessage[] = [];
  const r = new WsMessageReader((m) => out.push(m), limits);
  for (let i = 0; i < bytes.length; i += chunk) r.push(bytes.subarray(i, i + chunk));
  return out;
};

/** A budget that remembers the most it ever lent. */
const watchedBudget = (limit: number): ByteBudget & { peak: number; used: number } => {
  const inner = byteBudget(limit);
  const b = {
    peak: 0,
    used: 0,
    take: (n: number) => {
      const ok = inner.take(n);
      b.used = inner.used;
      b.peak = Math.max(b.peak, inner.used);
      return ok;
    },
    give: (n: number) => {
      inner.give(n);
      b.used = inner.used;
    },
  };
  return b;
};

describe('the v1 subprotocol (v1.kernel.websocket.jupyter.org)', () => {
  it("decodes JupyterLab's execute_request with binary buffers: channel, header, parent, metadata and content", () => {
    const { msg, binary, payload } = client('execute_request', { code: 'print(1)', silent: false }, { buffers: [new Uint8Array([1, 2, 3, 4]), new Uint8Array(1000).fill(9)] });
    expect(binary).toBe(true);
    // Count of offsets, little-endian: channel, header, parent, metadata, content, 2 buffers, end.
    expect(payload.readBigUInt64LE(0)).toBe(8n);
    const m = decodeKernelMessage('to_kernel', whole(true, payload), V1_SUBPROTOCOL);
    expect(m).toMatchObject({ channel: 'shell', msgType: 'execute_request', msgId: msg.header.msg_id, parentMsgId: '', session: 'client-session' });
    expect(m?.content()).toEqual({ code: 'print(1)', silent: false });
    expect(m?.metadata()).toEqual({ cellId: 'cell-7' });
    expect(m?.partial).toBeUndefined();
  });

  it("decodes jupyter_server's frames with buffers (a comm_msg), as JupyterLab reads them too", () => {
    const bytes = serverV1('iopub', [header('comm_msg'), parentOf('req-9'), '{}', pyJson({ comm_id: 'c', data: { n: 1 } }), Buffer.from([0, 255, 7]), Buffer.alloc(5000, 1)]);
    const jl = serializer.deserialize(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer, V1_SUBPROTOCOL);
    expect(jl).toMatchObject({ channel: 'iopub', header: { msg_type: 'comm_msg' }, parent_header: { msg_id: 'req-9' }, content: { comm_id: 'c' } });
    expect(jl.buffers?.map((b) => (b as DataView).byteLength)).toEqual([3, 5000]);
    const m = decodeKernelMessage('from_kernel', whole(true, bytes), V1_SUBPROTOCOL);
    expect(m).toMatchObject({ channel: 'iopub', msgType: 'comm_msg', msgId: 'k_1', parentMsgId: 'req-9', session: 'kernel-session' });
    expect(m?.content()).toEqual({ comm_id: 'c', data: { n: 1 } });
  });

  it('decodes the legacy binary form JupyterLab uses for buffers without the subprotocol', () => {
    const { binary, payload } = client('comm_msg', { comm_id: 'c', data: {} }, { protocol: '', buffers: [new Uint8Array([5, 6])] });
    expect(binary).toBe(true);
    const m = decodeKernelMessage('to_kernel', whole(true, payload), '');
    expect(m).toMatchObject({ channel: 'shell', msgType: 'comm_msg', session: 'client-session' });
    expect(m?.content()).toEqual({ comm_id: 'c', data: {} });
  });

  it('reads a v1 frame only as v1 when that subprotocol was negotiated', () => {
    const { payload } = client('execute_request', { code: 'x' });
    expect(decodeKernelMessage('to_kernel', whole(true, payload), '')).toBeUndefined();
  });
});

describe('messages over 1 MiB', () => {
  const code = `x = "${'a'.repeat(2 * MiB)}"; print(len(x))`;

  /** Runs `frames` through a tap, the client's side and the kernel's, and returns what the tap handed over. */
  const tap = (o: { subprotocol: string; toKernel?: Buffer[]; fromKernel?: Buffer[]; budget?: ByteBudget; chunk?: number }) => {
    const clientSide = new PassThrough();
    const upstream = new PassThrough();
    const seen: KernelMessage[] = [];
    const touched: number[] = [];
    tapWebSocket({
      path: { kind: 'kernel', kernelId: 'k1', sessionId: 's' },
      user: 'alice',
      server: '',
      actor: 'alice',
      subprotocol: o.subprotocol,
      client: clientSide,
      upstream,
      clientHead: Buffer.alloc(0),
      upstreamHead: Buffer.alloc(0),
      kernelTap: { open: () => ({ message: (m) => seen.push(m), closed: () => undefined, fromKernel: new Set(['status', 'execute_input', 'error', 'execute_reply']) }) },
      activity: { touch: (_u, _s, at) => touched.push(at) },
      clock: { now: () => 7 },
      budget: o.budget ?? byteBudget(128 * MiB),
    });
    const chunk = o.chunk ?? 64 * 1024;
    const write = (side: PassThrough, frames: Buffer[] = []) => {
      const bytes = Buffer.concat(frames);
      for (let i = 0; i < bytes.length; i += chunk) side.write(bytes.subarray(i, i + chunk));
    };
    write(clientSide, o.toKernel);
    write(upstream, o.fromKernel);
    return { seen, touched };
  };

  it('an execute_request of 2 MiB (v1, masked, in 64 KiB chunks) is read whole: recorded with its code, and activity', () => {
    const { msg, payload } = client('execute_request', { code, silent: false, store_history: true });
    expect(payload.length).toBeGreaterThan(2 * MiB);
    const { seen, touched } = tap({ subprotocol: V1_SUBPROTOCOL, toKernel: [frame(payload, { opcode: 2, mask: true })] });
    expect(seen.map((m) => [m.direction, m.msgType, m.msgId])).toEqual([['to_kernel', 'execute_request', msg.header.msg_id]]);
    expect(seen[0]?.partial).toBeUndefined();
    expect(seen[0]?.content()['code']).toBe(code);
    expect(touched).toEqual([7]);
  });

  it('so is one of 2 MiB in the JSON protocol (JupyterLab puts the content first), in several frames', () => {
    const { payload } = client('execute_request', { code, silent: false }, { protocol: '' });
    const third = Math.floor(payload.length / 3);
    const frames = [
      frame(payload.subarray(0, third), { mask: true, fin: false }),
      frame(payload.subarray(third, 2 * third), { mask: true, fin: false, opcode: 0 }),
      frame(payload.subarray(2 * third), { mask: true, opcode: 0 }),
    ];
    const { seen, touched } = tap({ subprotocol: '', toKernel: frames, chunk: 100_000 });
    expect(seen.map((m) => m.msgType)).toEqual(['execute_request']);
    expect(seen[0]?.content()['code']).toBe(code);
    expect(touched).toHaveLength(1);
  });

  it("the kernel's 5 MiB output passes without being kept, and the status and reply after it are read", () => {
    const out = serverV1('iopub', [header('stream', 'out'), parentOf('req-1'), '{}', pyJson({ name: 'stdout', text: 'b'.repeat(5 * MiB) })]);
    const busy = serverV1('iopub', [header('status', 's1'), parentOf('req-1'), '{}', pyJson({ execution_state: 'busy' })]);
    const reply = serverV1('shell', [header('execute_reply', 'r1'), parentOf('req-1'), '{}', pyJson({ status: 'ok', execution_count: 4 })]);
    const budget = watchedBudget(128 * MiB);
    const { seen } = tap({ subprotocol: V1_SUBPROTOCOL, fromKernel: [frame(busy, { opcode: 2 }), frame(out, { opcode: 2 }), frame(reply, { opcode: 2 })], budget });
    expect(seen.map((m) => `${m.msgType}:${m.parentMsgId}`)).toEqual(['status:req-1', 'execute_reply:req-1']);
    expect(budget.peak).toBe(0);
  });

  it("the kernel's output is let go after its first 64 KiB: the reader holds no more than that of it", () => {
    const out = frame(serverV1('iopub', [header('display_data', 'out'), parentOf('req-1'), '{}', pyJson({ data: { 'text/plain': 'c'.repeat(3 * MiB) } })]), { opcode: 2 });
    let held = 0;
    const r = new WsMessageReader(() => undefined, {
      maxBytes: MiB,
      headBytes: 64 * 1024,
      decide: (head, binary) => {
        held = head.length;
        return msgTypeOfHead(head, binary, V1_SUBPROTOCOL) === 'status' ? 'whole' : 'none';
      },
    });
    // Only the first 2 MiB of it arrive: what the reader keeps meanwhile is what a large output costs.
    for (let i = 0; i < 2 * MiB; i += 16 * 1024) r.push(out.subarray(i, i + 16 * 1024));
    expect(held).toBe(64 * 1024);
    expect(r.heldBytes()).toBe(0);
  });

  it("a kernel message of a type the tap reads, over 1 MiB, is read from its first bytes: header, parent, and the content's start", () => {
    // An execute_input echoing 2 MiB of code, and an error reply whose traceback is 2 MiB.
    const input = serverV1('iopub', [header('execute_input', 'i1'), parentOf('req-2'), '{}', pyJson({ code, execution_count: 5 })]);
    const replyContent = pyJson({ status: 'error', traceback: ['d'.repeat(2 * MiB)], ename: 'ValueError', evalue: 'x', execution_count: 5 });
    const reply = serverV1('shell', [header('execute_reply', 'r2'), parentOf('req-2'), '{}', replyContent]);
    const budget = watchedBudget(128 * MiB);
    const { seen } = tap({ subprotocol: V1_SUBPROTOCOL, fromKernel: [frame(input, { opcode: 2 }), frame(reply, { opcode: 2 })], budget });
    expect(seen.map((m) => [m.channel, m.msgType, m.parentMsgId, m.partial])).toEqual([
      ['iopub', 'execute_input', 'req-2', true],
      ['shell', 'execute_reply', 'req-2', true],
    ]);
    expect(seen[1]?.content()).toEqual({ status: 'error' });
    // At most 1 MiB each was held while they came, then let go.
    expect(budget.peak).toBeLessThanOrEqual(MiB);
    expect(budget.used).toBe(0);
  });

  it('the same in the JSON protocol, where the header comes first in what jupyter_server writes', () => {
    const big = servedJson('execute_reply', { status: 'error', traceback: ['e'.repeat(2 * MiB)], ename: 'KeyError' }, { parent: 'req-3', channel: 'shell' });
    const { seen } = tap({ subprotocol: '', fromKernel: [frame(big)] });
    expect(seen.map((m) => [m.msgType, m.parentMsgId, m.content()['status']])).toEqual([['execute_reply', 'req-3', 'error']]);
  });

  it('beyond what the runtime accepts (10 MiB), or when the shared budget is spent, an execute_request counts as activity but is not read whole', () => {
    const { payload } = client('execute_request', { code, silent: false });
    const budget = watchedBudget(MiB);
    const { seen, touched } = tap({ subprotocol: V1_SUBPROTOCOL, toKernel: [frame(payload, { opcode: 2, mask: true })], budget });
    expect(seen.map((m) => [m.msgType, m.partial])).toEqual([['execute_request', true]]);
    // The code was cut: the content holds nothing that is not complete.
    expect(seen[0]?.content()).toEqual({});
    expect(touched).toHaveLength(1);
    expect(budget.used).toBe(0);
    const huge = client('execute_request', { code: 'z'.repeat(11 * MiB) });
    const r2 = tap({ subprotocol: V1_SUBPROTOCOL, toKernel: [frame(huge.payload, { opcode: 2, mask: true })] });
    expect(r2.seen.map((m) => [m.msgType, m.partial])).toEqual([['execute_request', true]]);
  });

  it('other large client messages (a comm_msg carrying a file) keep only their head', () => {
    const upload = client('comm_msg', { comm_id: 'c', data: { method: 'update' } }, { buffers: [new Uint8Array(3 * MiB)] });
    const budget = watchedBudget(128 * MiB);
    const { seen, touched } = tap({ subprotocol: V1_SUBPROTOCOL, toKernel: [frame(upload.payload, { opcode: 2, mask: true })], budget });
    expect(seen.map((m) => [m.msgType, m.partial])).toEqual([['comm_msg', true]]);
    // The content is before the buffers, in the head: read whole.
    expect(seen[0]?.content()).toEqual({ comm_id: 'c', data: { method: 'update' } });
    expect(touched).toEqual([]);
    expect(budget.peak).toBe(0);
  });

  it('a connection closed in the middle of a large message gives its budget back', () => {
    const budget = watchedBudget(128 * MiB);
    const { payload } = client('execute_request', { code });
    const bytes = frame(payload, { opcode: 2, mask: true });
    const r = new WsMessageReader(() => undefined, { maxBytes: 10 * MiB, headBytes: 64 * 1024, budget });
    r.push(bytes.subarray(0, MiB));
    expect(budget.used).toBeGreaterThan(0);
    r.close();
    expect(budget.used).toBe(0);
  });
});

describe('the reader keeps the head of what it cuts', () => {
  it('reports a message over maxBytes with its first headBytes, masked or not, however it is chunked', () => {
    const text = Buffer.from('0123456789'.repeat(500));
    for (const mask of [false, true])
      for (const chunk of [1, 7, 100, 5000]) {
        const got = read(Buffer.concat([frame(text, { mask }), frame('after', { mask })]), { maxBytes: 1000, headBytes: 64 }, chunk);
        expect(got.map((m) => [m.truncated, m.payload.toString()])).toEqual([
          [true, text.subarray(0, 64).toString()],
          [false, 'after'],
        ]);
      }
  });

  it("asks what to keep once a message passes its head, and doesn't for smaller ones", () => {
    const asked: number[] = [];
    const got = read(Buffer.concat([frame('x'.repeat(100)), frame('y'.repeat(300)), frame('z'.repeat(300))]), {
      maxBytes: 10_000,
      headBytes: 200,
      decide: (head) => (asked.push(head.length), head[0] === 0x79 ? 'whole' : 'head'),
    }, 50);
    expect(asked).toEqual([200, 200]);
    expect(got.map((m) => [m.truncated, m.payload.length])).toEqual([
      [false, 100],
      [false, 300],
      [true, 200],
    ]);
  });
});

describe('reading a JSON object cut short', () => {
  it('gives the complete members, and reads into the object that was cut', () => {
    const text = pyJson({ header: { msg_id: 'a"b\\', n: [1, { x: '}' }] }, parent_header: {}, content: { status: 'error', ename: 'E', traceback: ['long'] } });
    const full = Buffer.from(text);
    expect(objectPrefix(full)).toEqual(JSON.parse(text));
    const cut = full.subarray(0, text.indexOf('long') + 2);
    expect(objectPrefix(cut)).toEqual({ header: { msg_id: 'a"b\\', n: [1, { x: '}' }] }, parent_header: {}, content: { status: 'error', ename: 'E' } });
    // A number at the very end may go on: it is not taken.
    expect(objectPrefix(Buffer.from('{"a": 1, "b": 23'))).toEqual({ a: 1 });
    expect(objectPrefix(Buffer.from('{"a": "x\\"'))).toEqual({});
    expect(objectPrefix(Buffer.from('["not an object"]'))).toBeUndefined();
    expect(objectPrefix(Buffer.from('{"a": nope, "b": 1}'))).toBeUndefined();
  });
});
