import { describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../core/executions.js';
import { addEdges, cpuInside, splitKernels, summaryTotals } from './summary.js';

const exec = (o: Partial<ExecutionRecord> & Pick<ExecutionRecord, 'id' | 'started'>): ExecutionRecord => ({
  user: 'ann',
  server: '',
  kernelId: 'k1',
  notebook: 'a.ipynb',
  attribution: 'session',
  candidates: [],
  cellId: null,
  msgId: o.id,
  clientSession: 's',
  executionCount: 1,
  code: '',
  codeSha256: '',
  codeBytes: 0,
  requested: o.started,
  ended: null,
  status: 'ok',
  errorName: null,
  cpuSeconds: null,
  peakMemory: null,
  sparkCpuSeconds: null,
  ...o,
});

describe('cpuInside', () => {
  it('counts an execution inside the range whole, and one straddling an edge by its share of time inside', () => {
    expect(cpuInside({ started: 10_000, ended: 20_000, cpuSeconds: 10 }, 0, 30_000, 40_000)).toBe(10);
    expect(cpuInside({ started: 10_000, ended: 20_000, cpuSeconds: 10 }, 15_000, 30_000, 40_000)).toBe(5);
    expect(cpuInside({ started: 10_000, ended: 20_000, cpuSeconds: 10 }, 0, 12_000, 40_000)).toBe(2);
    expect(cpuInside({ started: 10_000, ended: 20_000, cpuSeconds: 10 }, 20_001, 30_000, 40_000)).toBe(0);
  });
  it('counts a running execution by what it used so far, over its run so far', () => {
    expect(cpuInside({ started: 10_000, ended: null, cpuSeconds: 8 }, 0, 60_000, 18_000)).toBe(8);
    expect(cpuInside({ started: 10_000, ended: null, cpuSeconds: 8 }, 14_000, 60_000, 18_000)).toBe(4);
  });
  it('counts an execution without a cost (lost, or not read) as 0, and one of no duration where it happened', () => {
    expect(cpuInside({ started: 10_000, ended: null, cpuSeconds: null }, 0, 60_000, 18_000)).toBe(0);
    expect(cpuInside({ started: 10_000, ended: 10_000, cpuSeconds: 1 }, 0, 60_000, 18_000)).toBe(1);
    expect(cpuInside({ started: 10_000, ended: 10_000, cpuSeconds: 1 }, 11_000, 60_000, 18_000)).toBe(0);
  });
});

describe('addEdges', () => {
  const q = { since: 10_000, until: 100_000 };
  it('adds straddling and running executions to the sums of those inside, in notebooks and kernels alike', () => {
    const settled = {
      notebooks: [{ user: 'ann', server: '', notebook: 'a.ipynb', runs: 2, errors: 0, cpuSeconds: 3.5, peakMemory: 100, lastRun: 50_000 }],
      kernels: [{ user: 'ann', server: '', kernelId: 'k1', runs: 2, cpuSeconds: 3.5 }],
    };
    const edges = [
      exec({ id: 'e1', started: 0, ended: 20_000, cpuSeconds: 4, peakMemory: 300 }),
      exec({ id: 'e2', started: 90_000, ended: null, cpuSeconds: 2, status: 'running', notebook: 'b.ipynb' }),
      exec({ id: 'e3', started: 0, ended: 5_000, cpuSeconds: 9 }),
    ];
    const s = addEdges(settled, edges, q, 110_000);
    expect(s.notebooks.map((n) => [n.notebook, n.runs, n.cpuSeconds, n.peakMemory])).toEqual([
      ['a.ipynb', 3, 5.5, 300],
      ['b.ipynb', 1, 1, null],
    ]);
    expect(s.kernels).toEqual([{ user: 'ann', server: '', kernelId: 'k1', runs: 4, cpuSeconds: 6.5 }]);
  });
});

describe('splitKernels', () => {
  it('gives idle = all − in executions, never negative: all is at least what the executions used', () => {
    const k = splitKernels(
      [
        { user: 'ann', server: '', kernelId: 'k1', notebooks: ['a.ipynb'], cpuSeconds: 9.7 },
        { user: 'ann', server: '', kernelId: 'k2', notebooks: [], cpuSeconds: 30 },
      ],
      [
        { user: 'ann', server: '', kernelId: 'k1', runs: 3, cpuSeconds: 20.2 },
        { user: 'ann', server: '', kernelId: 'k2', runs: 1, cpuSeconds: 10.1 },
      ],
    );
    expect(k.map((x) => [x.kernelId, x.cpuSeconds, x.executionCpuSeconds, x.idleCpuSeconds])).toEqual([
      ['k1', 20.2, 20.2, 0],
      ['k2', 30, 10.1, 19.9],
    ]);
    const t = summaryTotals([], k);
    expect([t.kernelCpuSeconds, t.executionCpuSeconds, t.idleCpuSeconds]).toEqual([50.2, 30.3, 19.9]);
  });
  it('knows no figure for a kernel with neither samples nor executions that cost anything', () => {
    expect(splitKernels([], [{ user: 'ann', server: '', kernelId: 'k3', runs: 1, cpuSeconds: 0 }])[0]?.cpuSeconds).toBeNull();
  });
});
