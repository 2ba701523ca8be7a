import { describe, expect, it } from 'vitest';
import { RuntimeApiError, type RuntimeClient } from '../core/runtime-client.js';
import type { RunningRuntime } from '../core/usage.js';
import { labelsByKernel } from '../runtime-api/labels.js';
import { parseCellIds, parseList, parseSession } from '../runtime-api/models.js';
import { attribute } from './attribution.js';
import { RuntimeNotebooks } from './notebooks.js';

const rt: RunningRuntime = { user: 'alice', server: '', profile: 'default', rootPid: 1, target: 'http://127.0.0.1:9', baseUrl: '/user/alice/', token: 't' };
const nb = (ids: string[]) => ({ content: { cells: ids.map((id) => ({ id, cell_type: 'code', source: '' })) } });
type Api = Pick<RuntimeClient, 'labelsByKernel' | 'cellIds'>;
/** The runtime's API as the client reads it: these sessions (jupyter_server's JSON), these saved notebooks. */
const runtimeWith = (sessions: () => unknown[], notebooks: (path: string) => unknown, calls: string[] = []): Api => ({
  labelsByKernel: async () => {
    calls.push('sessions');
    return labelsByKernel(parseList(sessions(), parseSession, 'sessions'));
  },
  cellIds: async (_rt, path) => {
    calls.push(`contents ${path}`);
    const body = notebooks(path);
    if (body === undefined) throw new RuntimeApiError('status', 404, 'The runtime answered 404');
    return parseCellIds(body);
  },
});
let sid = 0;
const session = (path: string, kernel: string, type = 'notebook') => ({ id: `s${++sid}`, path, type, kernel: { id: kernel } });

describe('notebook attribution', () => {
  it('names the only notebook, the one holding the cell among several, and never guesses', () => {
    const cells: Record<string, Set<string>> = { 'a.ipynb': new Set(['c1', 'shared']), 'b.ipynb': new Set(['c2', 'shared']) };
    const of = (n: string) => cells[n];
    expect(attribute([], 'c1', of)).toEqual({ notebook: null, attribution: 'none', candidates: [] });
    expect(attribute(['a.ipynb'], null, of)).toEqual({ notebook: 'a.ipynb', attribution: 'session', candidates: [] });
    expect(attribute(['a.ipynb', 'b.ipynb'], 'c2', of)).toEqual({ notebook: 'b.ipynb', attribution: 'cell', candidates: [] });
    expect(attribute(['a.ipynb', 'b.ipynb'], null, of)).toEqual({ notebook: null, attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'] });
    expect(attribute(['a.ipynb', 'b.ipynb'], 'unsaved', of)).toMatchObject({ attribution: 'ambiguous' });
    expect(attribute(['a.ipynb', 'b.ipynb'], 'shared', of)).toMatchObject({ attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'] });
    expect(attribute(['a.ipynb', 'b.ipynb'], 'c1', () => undefined)).toMatchObject({ attribution: 'ambiguous' });
  });

  it("reads the runtime's sessions and, for a shared kernel, its notebooks' cells; a cell saved since is found on a second look", async () => {
    let now = 0;
    const calls: string[] = [];
    let bCells = ['b1'];
    const api = runtimeWith(
      () => [session('a.ipynb', 'k1'), session('dir/b c.ipynb', 'k1'), session('solo.ipynb', 'k2')],
      (path) => (path === 'a.ipynb' ? nb(['a1']) : path === 'dir/b c.ipynb' ? nb(bCells) : undefined),
      calls,
    );
    const n = new RuntimeNotebooks(api, { now: () => now });
    expect(await n.resolve(rt, 'k2', null)).toMatchObject({ notebook: 'solo.ipynb', attribution: 'session' });
    expect(await n.resolve(rt, 'k1', 'b1')).toMatchObject({ notebook: 'dir/b c.ipynb', attribution: 'cell' });
    expect(await n.resolve(rt, 'k1', null)).toMatchObject({ attribution: 'ambiguous', candidates: ['a.ipynb', 'dir/b c.ipynb'] });
    expect(calls.filter((c) => c === 'sessions')).toHaveLength(1);
    // A new cell, saved after the notebook was read: looked for again once the copy is over a second old.
    bCells = ['b1', 'b2'];
    now = 2000;
    expect(await n.resolve(rt, 'k1', 'b2')).toMatchObject({ notebook: 'dir/b c.ipynb', attribution: 'cell' });
    expect(await n.resolve(rt, 'k3', null)).toMatchObject({ attribution: 'none' });
  });

  it('answers right away what the sessions already tell, and nothing before they arrived, after they expired or where cells decide', async () => {
    let now = 0;
    const api = runtimeWith(() => [session('a.ipynb', 'k1'), session('b.ipynb', 'k1'), session('solo.ipynb', 'k2')], () => undefined);
    const n = new RuntimeNotebooks(api, { now: () => now });
    expect(n.known(rt, 'k2', null)).toBeUndefined();
    const pending = n.resolve(rt, 'k2', 'c1');
    expect(n.known(rt, 'k2', 'c1')).toBeUndefined();
    await pending;
    expect(n.known(rt, 'k2', 'c1')).toEqual({ notebook: 'solo.ipynb', attribution: 'session', candidates: [] });
    expect(n.known(rt, 'k1', null)).toEqual({ notebook: null, attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'] });
    expect(n.known(rt, 'k1', 'c1')).toBeUndefined();
    expect(n.known(rt, 'k9', null)).toMatchObject({ attribution: 'none' });
    n.invalidate('alice', '');
    expect(n.known(rt, 'k2', null)).toBeUndefined();
    await n.resolve(rt, 'k2', null);
    now = 10_000;
    expect(n.known(rt, 'k2', null)).toBeUndefined();
  });
});
