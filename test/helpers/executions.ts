import type { Kernel } from '@jupyterlab/services';
import { expect } from 'vitest';
import type { TestHub } from './hub.js';

/** An execution as GET /hub/api/executions shows it. */
export interface ExecutionItem {
  id: string;
  user: string;
  server: string;
  kernel_id: string;
  notebook: string | null;
  cell_id: string | null;
  execution_count: number | null;
  code: string | null;
  started: string;
  ended: string | null;
  duration_seconds: number | null;
  status: string;
  cpu_seconds: number | null;
  peak_memory: number | null;
  error_name: string | null;
  attribution: string;
  notebook_candidates: string[];
  code_sha256: string;
}

export interface ExecutionPage {
  items: ExecutionItem[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number; url: string } | null };
}

export const listExecutions = async (hub: TestHub, query: string, token: string): Promise<ExecutionPage> => {
  const r = await hub.api(`/hub/api/executions?${query}`, { token });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as ExecutionPage;
};

/** Waits until `count` executions matching the query have ended; returns them oldest first. */
export const endedExecutions = async (hub: TestHub, query: string, token: string, count: number): Promise<ExecutionItem[]> => {
  let items: ExecutionItem[] = [];
  await expect
    .poll(
      async () => {
        items = (await listExecutions(hub, query, token)).items.filter((e) => e.status !== 'running');
        return items.length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(count);
  return items.reverse();
};

/**
 * Burns `seconds` of CPU in the kernel (however long that takes on a busy machine) and prints the CPU time it
 * measured itself (time.process_time()).
 */
export const burn = (seconds: number): string =>
  ['import time', 't0 = time.process_time()', `while time.process_time() - t0 < ${seconds}: pass`, 'print(round(time.process_time() - t0, 3))'].join('\n');

/** Runs code with the cell id JupyterLab would send, and returns what it printed. */
export const run = async (kernel: Kernel.IKernelConnection, code: string, cellId?: string): Promise<{ status: string; output: string }> => {
  let output = '';
  const future = kernel.requestExecute({ code }, true, cellId ? { cellId } : {});
  future.onIOPub = (msg) => {
    const c = msg.content as { name?: string; text?: string };
    if (msg.header.msg_type === 'stream' && c.text) output += c.text;
  };
  const reply = await future.done;
  return { status: String((reply.content as { status: string }).status), output };
};

/** A notebook file (nbformat 4.5, with cell ids) written through the proxy's contents API. */
export const writeNotebook = async (hub: TestHub, token: string, path: string, cellIds: string[]): Promise<void> => {
  const content = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: cellIds.map((id) => ({ id, cell_type: 'code', metadata: {}, source: 'pass', outputs: [], execution_count: null })),
  };
  const r = await hub.api(`/user/alice/api/contents/${path}`, { method: 'PUT', token, body: { type: 'notebook', format: 'json', content } });
  expect([200, 201], await r.clone().text()).toContain(r.status);
};
