import { describe, expect, it } from 'vitest';
import { cpuIncrement, type CpuReading } from './counters.js';

const m = (...ps: CpuReading[]) => new Map(ps.map((p) => [p.key, p]));
const p = (pid: number, ppid: number, cpu: number, child = 0): CpuReading => ({ key: `${pid}`, pid, ppid, cpu, child });

describe('cpuIncrement', () => {
  it('counts everything on the first sweep and the growth after', () => {
    expect(cpuIncrement(m(p(1, 0, 5), p(2, 1, 3)), new Map())).toBe(8);
    expect(cpuIncrement(m(p(1, 0, 6), p(2, 1, 4)), m(p(1, 0, 5), p(2, 1, 3)))).toBe(2);
  });
  it('counts a short-lived child reaped by its parent once', () => {
    // child 2 used 3 s (counted), then 1 s more and was reaped: parent 1 shows 4 s of children.
    expect(cpuIncrement(m(p(1, 0, 5, 4)), m(p(1, 0, 5, 0), p(2, 1, 3)))).toBe(1);
  });
  it('counts a child born and reaped between two sweeps', () => {
    expect(cpuIncrement(m(p(1, 0, 5, 2)), m(p(1, 0, 5, 0)))).toBe(2);
  });
  it('counts a restarted kernel (a new process) from zero and never goes backwards', () => {
    expect(cpuIncrement(m(p(9, 0, 0.5)), m(p(1, 0, 40)))).toBe(0.5);
    expect(cpuIncrement(new Map(), m(p(1, 0, 40)))).toBe(0);
  });
});
