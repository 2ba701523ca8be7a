import { describe, expect, it } from 'vitest';
import { cpuSeconds } from '../web/src/executionFormat.js';
import { binaryTicks, bytesTick, cpuTime } from '../web/src/units.js';
import { executionTotals, sumCpu, totalsCsv } from '../web/src/usageTotals.js';

describe('one set of units (issue 17)', () => {
  it('writes consumed CPU in CPU-seconds below a CPU-hour and in CPU-hours from there, the same on every page', () => {
    expect(cpuTime(20.2)).toBe('20.2 CPU-s');
    expect(cpuTime(0.004)).toBe('0.004 CPU-s');
    expect(cpuTime(3599)).toBe('3599 CPU-s');
    expect(cpuTime(3600)).toBe('1 CPU-h');
    expect(cpuTime(5400)).toBe('1.5 CPU-h');
    expect(cpuTime(null)).toBe('—');
    // The executions' tables write it with the same function.
    expect(cpuSeconds(7200)).toBe(cpuTime(7200));
  });
  it('names the same units in the CSV export', () => {
    expect(totalsCsv([{ user: 'ann', server: undefined, cpuSeconds: 5400, peakMemory: 1024 }], false)).toEqual([
      ['user', 'cpu_seconds', 'cpu_hours', 'peak_memory_bytes'],
      ['ann', 5400, 1.5, 1024],
    ]);
  });
  it('puts memory axes on round ticks of a binary unit, from 0 to at least the highest value', () => {
    const MiB = 1024 ** 2;
    const GiB = 1024 ** 3;
    expect(binaryTicks(368 * MiB)).toEqual([0, 100, 200, 300, 400].map((x) => x * MiB));
    expect(binaryTicks(1.7 * GiB)).toEqual([0, 0.5, 1, 1.5, 2].map((x) => x * GiB));
    expect(binaryTicks(64 * MiB).map(bytesTick)).toEqual(['0 B', '20 MiB', '40 MiB', '60 MiB', '80 MiB']);
    expect(binaryTicks(3000).map(bytesTick)).toEqual(['0 B', '1 KiB', '2 KiB', '3 KiB']);
    for (const max of [1, 999, 5e5, 7.3e8, 2.2e10, 9e12]) {
      const t = binaryTicks(max);
      expect(t[0]).toBe(0);
      expect(t.at(-1)).toBeGreaterThanOrEqual(max);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(9);
    }
  });
});

describe('console totals are the sums of the rows shown', () => {
  it('sums CPU in whole milliseconds, so 0.1 + 0.2 reads 0.3', () => {
    expect(sumCpu([0.1, 0.2, null])).toBe(0.3);
  });
  it('gives the executions summary its totals from its rows', () => {
    const t = executionTotals({
      notebooks: [
        { user: 'a', server: '', notebook: 'x', runs: 2, errors: 1, cpu_seconds: 20.2, peak_memory: 1, last_run: null },
        { user: 'a', server: '', notebook: null, runs: 1, errors: 0, cpu_seconds: 0.1, peak_memory: null, last_run: null },
      ],
      kernels: [{ user: 'a', server: '', kernel_id: 'k', notebooks: [], runs: 3, cpu_seconds: 25, execution_cpu_seconds: 20.3, idle_cpu_seconds: 4.7 }],
    });
    expect(t).toEqual({ runs: 3, errors: 1, cpuSeconds: 20.3, kernelCpuSeconds: 25, executionCpuSeconds: 20.3, idleCpuSeconds: 4.7 });
  });
});
