import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { NotebookTracker } from '../agent/notebooks.js';
import { silentLogger } from '../core/logger.js';
import type { RunningRuntime } from '../core/usage.js';
import { notebookLabel } from '../metrics/runtime-families.js';
import { HttpRuntimeClient } from '../runtime-api/client.js';
import { RuntimeNotebooks } from './notebooks.js';

// A runtime's sessions as JupyterLab leaves them: a notebook, a console on a kernel of its own, a notebook with
// the console opened for it (one kernel), a Python file run in a console of its own, a notebook without a kernel.
const kernel = (id: string) => ({ id, name: 'python3', last_activity: '2026-12-06T15:46:01.636196Z', execution_state: 'idle', connections: 1 });
const sessions = [
  { id: 's1', path: 'analysis.ipynb', name: 'analysis.ipynb', type: 'notebook', kernel: kernel('k-nb'), notebook: { path: 'analysis.ipynb', name: 'analysis.ipynb' } },
  { id: 's2', path: 'console-1-6d1c', name: 'Console 1', type: 'console', kernel: kernel('k-console') },
  { id: 's3', path: 'shared.ipynb', name: 'shared.ipynb', type: 'notebook', kernel: kernel('k-shared'), notebook: { path: 'shared.ipynb', name: 'shared.ipynb' } },
  { id: 's4', path: 'shared.ipynb', name: 'Console 2', type: 'console', kernel: kernel('k-shared') },
  { id: 's5', path: 'src/job.py', name: 'job.py', type: 'file', kernel: kernel('k-file') },
  { id: 's6', path: 'closed.ipynb', name: 'closed.ipynb', type: 'notebook', kernel: null },
];
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url?.startsWith('/user/alice/api/sessions')) res.end(JSON.stringify(sessions));
  else res.writeHead(404).end('{"message": "not found"}');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
afterAll(() => new Promise<void>((r) => server.close(() => r())));
const rt: RunningRuntime = { user: 'alice', server: '', profile: 'default', rootPid: null, target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, baseUrl: '/user/alice/', token: 't' };

it('usage, metrics, executions and the console label the same sessions alike, consoles included', async () => {
  const client = new HttpRuntimeClient();
  // Usage and metrics: the agent's tracker, asking as openAgent wires it.
  const tracker = new NotebookTracker((api) => client.labelsByKernel(api), silentLogger);
  await tracker.refresh([{ key: 'alice/', api: rt, kernels: ['k-nb'] }]);
  const usage = tracker.all()['alice/'] ?? {};
  // Executions: the attribution of a cell run on each kernel (no cell id: the sessions alone decide).
  const executions = new RuntimeNotebooks(client, { now: () => 0 });
  const attributed = async (k: string) => {
    const a = await executions.resolve(rt, k, null);
    return a.notebook === null ? a.candidates : [a.notebook];
  };
  // The console's kernel list (GET …/kernels): the client's labels as they are.
  const consoleUi = await client.labelsByKernel(rt);

  expect(usage).toEqual({
    'k-nb': ['analysis.ipynb'],
    'k-console': ['console-1-6d1c'],
    // A notebook's own console names the notebook's path: one label.
    'k-shared': ['shared.ipynb'],
    'k-file': ['src/job.py'],
  });
  for (const [k, labels] of Object.entries(usage)) {
    expect(await attributed(k)).toEqual(labels);
    expect(consoleUi[k]).toEqual(labels);
    expect(notebookLabel(usage[k])).toBe(labels.join(','));
  }
  // A code run in the console is the console's, as its CPU in usage is.
  expect(await executions.resolve(rt, 'k-console', null)).toEqual({ notebook: 'console-1-6d1c', attribution: 'session', candidates: [] });
});
