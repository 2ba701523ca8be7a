import { describe, expect, it } from 'vitest';
import type { RunningRuntime } from '../core/usage.js';
import { attribute } from './attribution.js';
import { RuntimeNotebooks, type RuntimeCall } from './notebooks.js';

const rt: RunningRuntime = { user: 'alice', server: '', profile: 'default', rootPid: 1, target: 'http://127.0.0.1:9', baseUrl: '/user/alice/', token: 't' };
const nb = (ids: string[]) => ({ content: { cells: ids.map((id) => ({ id, cell_type: 'code', source: '' })) } });

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
    const call: RuntimeCall = async (_rt, _m, path) => {
      calls.push(path);
      if (path === 'api/sessions')
        return {
          status: 200,
          body: [
            { path: 'a.ipynb', type: 'notebook', kernel: { id: 'k1' } },
            { path: 'dir/b c.ipynb', type: 'notebook', kernel: { id: 'k1' } },
            { path: 'console-1', type: 'console', kernel: { id: 'k1' } },
            { path: 'solo.ipynb', type: 'notebook', kernel: { id: 'k2' } },
          ],
        };
      if (path.startsWith('api/contents/a.ipynb')) return { status: 200, body: nb(['a1']) };
      if (path.startsWith('api/contents/dir/b%20c.ipynb')) return { status: 200, body: nb(bCells) };
      return { status: 404, body: null };
    };
    const n = new RuntimeNotebooks(call, { now: () => now });
    expect(await n.resolve(rt, 'k2', null)).toMatchObject({ notebook: 'solo.ipynb', attribution: 'session' });
    expect(await n.resolve(rt, 'k1', 'b1')).toMatchObject({ notebook: 'dir/b c.ipynb', attribution: 'cell' });
    expect(await n.resolve(rt, 'k1', null)).toMatchObject({ attribution: 'ambiguous', candidates: ['a.ipynb', 'dir/b c.ipynb'] });
    expect(calls.filter((c) => c === 'api/sessions')).toHaveLength(1);
    // A new cell, saved after the notebook was read: looked for again once the copy is over a second old.
    bCells = ['b1', 'b2'];
    now = 2000;
    expect(await n.resolve(rt, 'k1', 'b2')).toMatchObject({ notebook: 'dir/b c.ipynb', attribution: 'cell' });
    expect(await n.resolve(rt, 'k3', null)).toMatchObject({ attribution: 'none' });
  });

  it('answers right away what the sessions already tell, and nothing before they arrived, after they expired or where cells decide', async () => {
    let now = 0;
    const call: RuntimeCall = async () => ({ status: 200, body: [{ path: 'a.ipynb', kernel: { id: 'k1' } }, { path: 'b.ipynb', kernel: { id: 'k1' } }, { path: 'solo.ipynb', kernel: { id: 'k2' } }] });
    const n = new RuntimeNotebooks(call, { now: () => now });
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
