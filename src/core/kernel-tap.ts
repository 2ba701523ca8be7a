/**
 * Kernel protocol messages that pass through the proxy (DESIGN.md idea 6). The proxy decodes the
 * WebSocket frames of `/api/kernels/{id}/channels` in both directions (the JSON protocol and the
 * `v1.kernel.websocket.jupyter.org` binary one) after forwarding them, so tapping never delays traffic,
 * and hands every message to the tap. executions/ records from it; nothing here knows about storage.
 */
export type MessageDirection = 'to_kernel' | 'from_kernel';

export interface KernelMessage {
  direction: MessageDirection;
  /** shell, iopub, stdin or control. */
  channel: string;
  /** header.msg_type. */
  msgType: string;
  msgId: string;
  /** parent_header.msg_id ('' when none). */
  parentMsgId: string;
  /** header.session: the client session that sent it (or, for a reply, that the request came from). */
  session: string;
  /** Decoded on first call, so a large output is never parsed unless asked. {} when unreadable. */
  content(): Record<string, unknown>;
  metadata(): Record<string, unknown>;
  /**
   * Only the message's first bytes were read (it was larger than the proxy keeps): the header and parent
   * header are right, content() and metadata() hold only the members complete in those bytes.
   */
  partial?: boolean;
}

/**
 * Whether an execute_request's content is a cell someone ran. Silent requests and those kept out of the
 * history (what variable inspectors and completers send) are the kernel's work but neither an execution nor
 * a person's activity: the proxy's activity and the execution history decide it here, alike.
 */
export const isCellRun = (content: Record<string, unknown>): boolean => content['silent'] !== true && content['store_history'] !== false;

/** A kernel WebSocket opened through the proxy. */
export interface KernelChannelInfo {
  user: string;
  server: string;
  kernelId: string;
  /** `session_id` query parameter of the WebSocket URL ('' when absent). */
  sessionId: string;
  /** Name of the user whose credentials opened it (the owner, or an admin). */
  actor: string;
}

/** Receives one connection's messages, in the order each side sent them. */
export interface KernelChannelTap {
  message(m: KernelMessage, at: number): void;
  /**
   * The kernel's message types this tap reads (header.msg_type): the others may be left undecoded and not
   * handed over. Absent: every message.
   */
  fromKernel?: ReadonlySet<string>;
  /** The WebSocket closed (either side). */
  closed(at: number): void;
}

export interface KernelTap {
  /** A kernel WebSocket opened; return null to leave this connection untapped. */
  open(info: KernelChannelInfo, at: number): KernelChannelTap | null;
}

/** Interrupts and restarts asked over HTTP (the runtime's REST API through the proxy, or the hub's). */
export interface KernelControlSink {
  control(e: { user: string; server: string; kernelId: string; action: 'interrupt' | 'restart' | 'shutdown'; at: number }): void;
}
