import type { KernelMessage } from '../core/kernel-tap.js';

/** Kernel messages as the proxy hands them over, for tests of the recorder without a kernel. */
export const kernelMessage = (
  direction: KernelMessage['direction'],
  channel: string,
  msgType: string,
  o: { msgId?: string; parent?: string; session?: string; content?: Record<string, unknown>; metadata?: Record<string, unknown> } = {},
): KernelMessage => ({
  direction,
  channel,
  msgType,
  msgId: o.msgId ?? `${msgType}-${Math.random().toString(36).slice(2)}`,
  parentMsgId: o.parent ?? '',
  session: o.session ?? 'client-1',
  content: () => o.content ?? {},
  metadata: () => o.metadata ?? {},
});

export const executeRequest = (msgId: string, code: string, o: { cellId?: string; silent?: boolean; session?: string } = {}): KernelMessage =>
  kernelMessage('to_kernel', 'shell', 'execute_request', {
    msgId,
    session: o.session ?? 'client-1',
    content: { code, silent: o.silent ?? false, store_history: !o.silent, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    metadata: o.cellId ? { cellId: o.cellId } : {},
  });

export const status = (parent: string, state: string): KernelMessage => kernelMessage('from_kernel', 'iopub', 'status', { parent, content: { execution_state: state } });
export const executeInput = (parent: string, count: number): KernelMessage => kernelMessage('from_kernel', 'iopub', 'execute_input', { parent, content: { code: '', execution_count: count } });
export const iopubError = (parent: string, ename: string): KernelMessage => kernelMessage('from_kernel', 'iopub', 'error', { parent, content: { ename, evalue: '', traceback: [] } });
export const executeReply = (parent: string, status: 'ok' | 'error' | 'aborted', o: { ename?: string; count?: number } = {}): KernelMessage =>
  kernelMessage('from_kernel', 'shell', 'execute_reply', {
    parent,
    content: { status, execution_count: o.count ?? null, ...(o.ename ? { ename: o.ename, evalue: '', traceback: [] } : {}) },
  });
