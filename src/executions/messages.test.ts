import { describe, expect, it } from 'vitest';
import { classify, FROM_KERNEL_TYPES } from './messages.js';
import { kernelMessage } from './testing.js';

describe('what a kernel message means for execution history', () => {
  it('comes only from the types the recorder asks the proxy for: the others can pass undecoded', () => {
    // Each with a parent and the content that would make the types classify reads mean something.
    const content = { execution_state: 'idle', execution_count: 1, ename: 'E', status: 'error', data: {}, text: 'x', name: 'stdout' };
    const others = [
      'stream', 'display_data', 'update_display_data', 'execute_result', 'clear_output', 'comm_open', 'comm_msg', 'comm_close', 'comm_info_reply',
      'kernel_info_reply', 'complete_reply', 'inspect_reply', 'history_reply', 'is_complete_reply', 'shutdown_reply', 'interrupt_reply',
      'input_request', 'debug_event', 'debug_reply', 'execute_request', '',
    ];
    for (const t of others) expect(classify(kernelMessage('from_kernel', 'iopub', t, { parent: 'p', content })), t).toBeNull();
    for (const t of FROM_KERNEL_TYPES) expect(classify(kernelMessage('from_kernel', t === 'execute_reply' ? 'shell' : 'iopub', t, { parent: 'p', content })), t).not.toBeNull();
  });
});

describe('messages the proxy read from their first bytes only (larger than it keeps)', () => {
  const partial = (m: ReturnType<typeof kernelMessage>) => ({ ...m, partial: true });

  it('an execute_request whose code was cut is not an execution; one whose code is there is', () => {
    expect(classify(partial(kernelMessage('to_kernel', 'shell', 'execute_request', { msgId: 'r', content: {} })))).toBeNull();
    expect(classify(partial(kernelMessage('to_kernel', 'shell', 'execute_request', { msgId: 'r', content: { code: 'x = 1' } })))).toMatchObject({ kind: 'request', code: 'x = 1' });
  });

  it("a reply keeps the status read from its content's start; an error without its name leaves the name to the reply", () => {
    expect(classify(partial(kernelMessage('from_kernel', 'shell', 'execute_reply', { parent: 'p', content: { status: 'error' } })))).toEqual({ kind: 'reply', parent: 'p', status: 'error', ename: 'Error', count: null });
    expect(classify(partial(kernelMessage('from_kernel', 'iopub', 'error', { parent: 'p', content: {} })))).toBeNull();
    expect(classify(kernelMessage('from_kernel', 'iopub', 'error', { parent: 'p', content: {} }))).toEqual({ kind: 'raised', parent: 'p', ename: 'Error' });
  });
});
