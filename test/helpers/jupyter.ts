import { KernelManager, ServerConnection, SessionManager, type Kernel } from '@jupyterlab/services';
import WebSocket from 'ws';

/** A real Jupyter client (@jupyterlab/services) talking to a runtime through the hub's proxy. */
export const jupyterSettings = (hubUrl: string, serverPath: string, token: string): ServerConnection.ISettings =>
  ServerConnection.makeSettings({
    baseUrl: hubUrl + serverPath,
    wsUrl: hubUrl.replace(/^http/, 'ws') + serverPath,
    token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch: globalThis.fetch,
    Request: globalThis.Request,
    Headers: globalThis.Headers,
  });

/** Runs code and returns what it printed (stdout stream and execute_result text). */
export const execute = async (kernel: Kernel.IKernelConnection, code: string): Promise<{ status: string; output: string }> => {
  let output = '';
  const future = kernel.requestExecute({ code });
  future.onIOPub = (msg) => {
    const c = msg.content as { name?: string; text?: string; data?: Record<string, string> };
    if (msg.header.msg_type === 'stream' && c.text) output += c.text;
    if (msg.header.msg_type === 'execute_result' && c.data?.['text/plain']) output += c.data['text/plain'];
  };
  const reply = await future.done;
  return { status: String((reply.content as { status: string }).status), output };
};

export const managers = (settings: ServerConnection.ISettings) => {
  const kernels = new KernelManager({ serverSettings: settings });
  const sessions = new SessionManager({ kernelManager: kernels, serverSettings: settings });
  return { kernels, sessions, dispose: () => { sessions.dispose(); kernels.dispose(); } };
};
