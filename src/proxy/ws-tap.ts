import type { Duplex } from 'node:stream';
import type { Clock } from '../core/clock.js';
import { isCellRun, type KernelMessage, type KernelTap } from '../core/kernel-tap.js';
import type { ActivitySink } from '../core/routes.js';
import { decodeKernelMessage, isTerminalInput, msgTypeOfHead } from './kernel-messages.js';
import { WsMessageReader, type ByteBudget, type Keep } from './ws-frames.js';

/**
 * What the tap keeps of a message before deciding anything about it. A larger message is judged by its first
 * HEAD_BYTES, where a kernel message has its header (and, in jupyter_server's layouts, its parent header):
 * one not needed whole keeps only that.
 */
const HEAD_BYTES = 64 * 1024;
/**
 * An execute_request is read whole up to tornado's `websocket_max_message_size` (10 MiB by default, in
 * jupyter_server 2 and the classic notebook alike): a larger message makes the runtime close the connection
 * (1009, message too big), and never reaches the kernel.
 */
const MAX_TO_KERNEL_BYTES = 10 * 1024 * 1024;
/**
 * The kernel's messages the tap reads (status, execute_input, error, execute_reply) are small; a larger one
 * (an execute_input echoing large code, a reply with a huge traceback) is read from its head, and outputs no
 * one reads are let go after their head.
 */
const MAX_FROM_KERNEL_BYTES = 1 << 20;
/** What all tapped connections of one proxy may hold together past their messages' heads. */
export const TAP_BUDGET_BYTES = 128 * 1024 * 1024;

/** The WebSockets the proxy reads: a kernel's channels, or a terminal. */
export type TappedPath = { kind: 'kernel'; kernelId: string; sessionId: string } | { kind: 'terminal' };

const KERNEL_CHANNELS = /\/api\/kernels\/([^/?#]+)\/channels$/;
const TERMINAL = /\/terminals\/websocket\/[^/?#]+$/;

export const tappedPath = (forward: string): TappedPath | null => {
  const q = forward.indexOf('?');
  const path = q < 0 ? forward : forward.slice(0, q);
  const kernel = KERNEL_CHANNELS.exec(path);
  if (kernel) {
    let kernelId = kernel[1] as string;
    try {
      kernelId = decodeURIComponent(kernelId);
    } catch {
      // keep it as sent
    }
    const sessionId = q < 0 ? '' : (new URLSearchParams(forward.slice(q + 1)).get('session_id') ?? '');
    return { kind: 'kernel', kernelId, sessionId };
  }
  return TERMINAL.test(path) ? { kind: 'terminal' } : null;
};

/**
 * What a person does, as opposed to what an open tab does by itself: running a cell (not the silent or
 * history-less requests of extensions, see isCellRun) and answering input(). Polling, completion and comm
 * traffic are not activity.
 */
export const isUserActivity = (m: KernelMessage): boolean =>
  m.direction === 'to_kernel' && ((m.msgType === 'execute_request' && isCellRun(m.content())) || m.msgType === 'input_reply');

export interface TapOptions {
  path: TappedPath;
  user: string;
  server: string;
  actor: string;
  subprotocol: string;
  client: Duplex;
  upstream: Duplex;
  /** Bytes each side sent with the upgrade, already forwarded. */
  clientHead: Buffer;
  upstreamHead: Buffer;
  kernelTap: KernelTap | undefined;
  activity: ActivitySink;
  clock: Clock;
  /** Shared by every tapped connection of the proxy (TAP_BUDGET_BYTES). */
  budget: ByteBudget;
}

/**
 * Reads the messages of an upgraded connection after they were forwarded (a second 'data' listener,
 * behind the pipe's), so tapping adds no latency: user activity to the activity sink, every kernel
 * message to the kernel tap.
 */
export const tapWebSocket = (o: TapOptions): void => {
  const { path } = o;
  if (path.kind === 'terminal') {
    const reader = new WsMessageReader((m) => {
      if (isTerminalInput(m)) o.activity.touch(o.user, o.server, o.clock.now());
    }, 4096);
    feed(o.client, o.clientHead, reader);
    return;
  }
  const channel = o.kernelTap?.open({ user: o.user, server: o.server, kernelId: path.kernelId, sessionId: path.sessionId, actor: o.actor }, o.clock.now()) ?? null;
  const sub = o.subprotocol;
  // Only an execute_request is needed whole, for its code, and only to record it: activity needs the header only.
  // A header not in the head (JupyterLab's JSON protocol writes the content first) needs the whole message.
  const toKernelKeep = (head: Buffer, binary: boolean): Keep => {
    const type = msgTypeOfHead(head, binary, sub);
    return type === undefined || (channel && type === 'execute_request') ? 'whole' : 'head';
  };
  const toKernel = new WsMessageReader(
    (m) => {
      const km = decodeKernelMessage('to_kernel', m, sub);
      if (!km) return;
      const at = o.clock.now();
      if (isUserActivity(km)) o.activity.touch(o.user, o.server, at);
      channel?.message(km, at);
    },
    { maxBytes: MAX_TO_KERNEL_BYTES, headBytes: HEAD_BYTES, decide: toKernelKeep, budget: o.budget },
  );
  feed(o.client, o.clientHead, toKernel);
  if (!channel) return;
  const types = channel.fromKernel;
  const wanted = types && ((t: string) => types.has(t));
  const fromKernelKeep = (head: Buffer, binary: boolean): Keep => {
    const type = msgTypeOfHead(head, binary, sub);
    return type === undefined || !wanted || wanted(type) ? 'whole' : 'none';
  };
  const fromKernel = new WsMessageReader(
    (m) => {
      const km = decodeKernelMessage('from_kernel', m, sub, wanted);
      if (km) channel.message(km, o.clock.now());
    },
    { maxBytes: MAX_FROM_KERNEL_BYTES, headBytes: HEAD_BYTES, decide: fromKernelKeep, budget: o.budget },
  );
  feed(o.upstream, o.upstreamHead, fromKernel);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    channel.closed(o.clock.now());
  };
  o.client.once('close', close);
  o.upstream.once('close', close);
};

/** Feeds what `socket` sends (after `head`) to `reader`; a reader that cannot follow stops reading, never the connection. */
export const feed = (socket: Duplex, head: Buffer, reader: WsMessageReader) => {
  const push = (chunk: Buffer) => {
    try {
      reader.push(chunk);
    } catch {
      // A tap must never break the connection it reads.
      reader.broken = true;
    }
  };
  if (head.length > 0) push(head);
  socket.on('data', push);
  socket.once('close', () => reader.close());
};
