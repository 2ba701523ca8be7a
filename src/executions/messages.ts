import { isCellRun, type KernelMessage } from '../core/kernel-tap.js';

/** What a kernel message means for execution history; everything else (outputs, comms, completion) is nothing. */
export type ExecEvent =
  /** A client asked to run code; `silent` ones (and those outside the history) are run by the kernel but are not executions. */
  | { kind: 'request'; msgId: string; session: string; code: string; cellId: string | null; silent: boolean }
  /** The kernel began the request (iopub status busy, or execute_input with its count). */
  | { kind: 'began'; parent: string; count: number | null }
  /** The kernel is done with the request (iopub status idle). */
  | { kind: 'idle'; parent: string }
  /** An exception was published for the request (iopub error). */
  | { kind: 'raised'; parent: string; ename: string }
  | { kind: 'reply'; parent: string; status: 'ok' | 'error' | 'aborted'; ename: string | null; count: number | null }
  /** The kernel is restarting or dead (iopub status from the runtime), or a client asked it to shut down. */
  | { kind: 'gone' }
  | { kind: 'interrupt' };

/** The kernel's message types classify reads; it makes nothing of the others (outputs, comms, replies to other requests). */
export const FROM_KERNEL_TYPES: ReadonlySet<string> = new Set(['status', 'execute_input', 'error', 'execute_reply']);

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

/**
 * Reads one message. Only the few types that matter are decoded (content() parses lazily), so the stream
 * output that makes most of the traffic costs a string comparison.
 */
export const classify = (m: KernelMessage): ExecEvent | null => {
  if (m.direction === 'to_kernel') {
    switch (m.msgType) {
      case 'execute_request': {
        if (m.channel !== 'shell') return null;
        const c = m.content();
        // Read from its first bytes only (larger than the proxy keeps): without its code it is not recorded.
        if (m.partial && str(c['code']) === null) return null;
        const cellId = str(m.metadata()['cellId']);
        // Silent requests, and those kept out of the history (an extension's variable inspector, no execution
        // count), are the kernel's work but not cells someone ran.
        const silent = !isCellRun(c);
        return { kind: 'request', msgId: m.msgId, session: m.session, code: str(c['code']) ?? '', cellId: cellId || null, silent };
      }
      case 'interrupt_request':
        return { kind: 'interrupt' };
      case 'shutdown_request':
        return { kind: 'gone' };
      default:
        return null;
    }
  }
  switch (m.msgType) {
    case 'status': {
      const state = m.content()['execution_state'];
      if (state === 'busy') return m.parentMsgId ? { kind: 'began', parent: m.parentMsgId, count: null } : null;
      if (state === 'idle') return m.parentMsgId ? { kind: 'idle', parent: m.parentMsgId } : null;
      if (state === 'restarting' || state === 'dead') return { kind: 'gone' };
      return null;
    }
    case 'execute_input':
      return m.parentMsgId ? { kind: 'began', parent: m.parentMsgId, count: int(m.content()['execution_count']) } : null;
    case 'error': {
      if (!m.parentMsgId || m.channel !== 'iopub') return null;
      const ename = str(m.content()['ename']);
      // A huge traceback read from its start may not show the name: the reply tells it.
      return ename === null && m.partial ? null : { kind: 'raised', parent: m.parentMsgId, ename: ename ?? 'Error' };
    }
    case 'execute_reply': {
      if (!m.parentMsgId) return null;
      const c = m.content();
      const status = c['status'] === 'error' ? 'error' : c['status'] === 'aborted' ? 'aborted' : 'ok';
      return { kind: 'reply', parent: m.parentMsgId, status, ename: status === 'error' ? (str(c['ename']) ?? 'Error') : null, count: int(c['execution_count']) };
    }
    default:
      return null;
  }
};
