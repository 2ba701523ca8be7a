import { describe, expect, it } from 'vitest';
import type { HubError } from '../core/errors.js';
import { RuntimeApiError } from '../core/runtime-client.js';
import { labelsByKernel } from './labels.js';
import { parseCellIds, parseKernel, parseList, parseSession, parseStatus } from './models.js';

// Shapes as jupyter_server 2.21 and 1.23 answer them (recorded from both), and the notebook 5 session.
const kernel2 = { id: 'k1', name: 'python3', last_activity: '2026-12-06T15:46:01.636196Z', execution_state: 'idle', connections: 1 };
const session2 = { id: 's1', path: 'dir/a.ipynb', name: 'a.ipynb', type: 'notebook', kernel: kernel2, notebook: { path: 'dir/a.ipynb', name: 'a.ipynb' } };
const console2 = { id: 's2', path: 'console-1-abc', name: 'Console 1', type: 'console', kernel: { ...kernel2, id: 'k2' } };
const notebook5 = { id: 's3', notebook: { path: 'old.ipynb' }, kernel: { id: 'k3', name: 'python3' } };

const rejects = (parse: () => unknown, message: RegExp) => {
  let caught: unknown;
  try {
    parse();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RuntimeApiError);
  // What the API answers: 503 UNAVAILABLE, with what was wrong.
  expect(caught).toMatchObject({ code: 'UNAVAILABLE', failure: 'garbage' });
  expect((caught as HubError).message).toMatch(message);
};

describe('runtime API models', () => {
  it('reads a kernel, its times as Unix ms, and leaves out what an older runtime does not say', () => {
    expect(parseKernel(kernel2)).toEqual({ id: 'k1', name: 'python3', executionState: 'idle', lastActivity: Date.parse('2026-12-06T15:46:01.636Z'), connections: 1 });
    expect(parseKernel({ id: 'k1' })).toEqual({ id: 'k1', name: null, executionState: null, lastActivity: null, connections: null });
  });

  it('reads sessions of every type, the 2.x and 1.23 shape and the older notebook.path alike', () => {
    expect(parseSession(session2)).toMatchObject({ id: 's1', path: 'dir/a.ipynb', name: 'a.ipynb', type: 'notebook', kernel: { id: 'k1' } });
    expect(parseSession(console2)).toMatchObject({ path: 'console-1-abc', name: 'Console 1', type: 'console', kernel: { id: 'k2' } });
    expect(parseSession(notebook5)).toEqual({ id: 's3', path: 'old.ipynb', name: null, type: null, kernel: expect.objectContaining({ id: 'k3' }) });
    expect(parseSession({ id: 's4', path: 'x.py', type: 'file', kernel: null })).toMatchObject({ kernel: null });
  });

  it('reads the server status', () => {
    expect(parseStatus({ connections: 0, kernels: 2, last_activity: '2026-12-06T15:46:00.551036Z', started: '2026-12-06T15:46:00.551036Z' })).toEqual({
      connections: 0,
      kernels: 2,
      lastActivity: Date.parse('2026-12-06T15:46:00.551Z'),
      started: Date.parse('2026-12-06T15:46:00.551Z'),
    });
  });

  it('rejects garbage with a message that says what is wrong', () => {
    rejects(() => parseKernel('<html>login</html>'), /not a kernel: text/);
    rejects(() => parseKernel({ name: 'python3' }), /not a kernel: it has no id/);
    rejects(() => parseKernel({ id: 'k1', connections: 'two' }), /its connections is not a number/);
    rejects(() => parseKernel({ id: 'k1', last_activity: 'yesterday' }), /its last_activity is not a time/);
    rejects(() => parseSession({ id: 's1', kernel: null }), /not a session: it has no path/);
    rejects(() => parseSession({ ...session2, kernel: { name: 'python3' } }), /not a kernel: it has no id/);
    rejects(() => parseStatus([]), /not a server status: a list/);
    rejects(() => parseList({ kernels: [] }, parseKernel, 'kernels'), /not a list of kernels: object/);
    rejects(() => parseList([kernel2, 7], parseKernel, 'kernels'), /not a list of kernels: item 1: a kernel: number/);
    rejects(() => parseCellIds({ content: null }), /not a notebook \(its content\)/);
  });

  it('reads the cell ids a saved notebook holds (older cells without ids have none)', () => {
    expect([...parseCellIds({ content: { cells: [{ id: 'c1' }, { cell_type: 'code' }, { id: 'c2' }] } })]).toEqual(['c1', 'c2']);
  });
});

describe('labels', () => {
  it("label every kernel's sessions by their path, consoles and files included, each once and sorted", () => {
    const sessions = parseList(
      [
        session2,
        { ...session2, id: 's1b' },
        { ...console2, kernel: kernel2 },
        console2,
        { id: 's5', path: 'script.py', type: 'file', kernel: { id: 'k4' } },
        { id: 's6', path: 'nokernel.ipynb', type: 'notebook', kernel: null },
        notebook5,
      ],
      parseSession,
      'sessions',
    );
    expect(labelsByKernel(sessions)).toEqual({ k1: ['console-1-abc', 'dir/a.ipynb'], k2: ['console-1-abc'], k3: ['old.ipynb'], k4: ['script.py'] });
  });
});
