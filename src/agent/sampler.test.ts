import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../procfs/proc.js';
import type { ProcReader } from './proc-reader.js';
import { Sampler } from './sampler.js';

const proc = (pid: number, ppid: number, cpu: number, rss: number, child = 0): ProcStat => ({
  pid, ppid, pgrp: pid, state: 'S', startTime: pid * 10, cpuSeconds: cpu, childCpuSeconds: child, rssBytes: rss,
});

const fake = (table: ProcStat[], cmd: Record<number, string[]>): ProcReader => ({
  all: () => table,
  cmdline: (pid) => cmd[pid],
  pss: () => undefined,
});

describe('Sampler', () => {
  const cmd = {
    100: ['jupyter-notebook'],
    200: ['python3', '-m', 'ipykernel_launcher', '-f', '/run/kernel-aaaaaaaa-1111.json'],
    201: ['sleep', '600'],
    300: ['python3', '-m', 'ipykernel_launcher', '-f', '/run/kernel-bbbbbbbb-2222.json'],
  };
  it('splits a runtime into kernels, counting subprocesses to their kernel', () => {
    let now = 1_000_000;
    let table = [proc(1, 0, 0, 0), proc(100, 1, 2, 100), proc(200, 100, 10, 50), proc(201, 200, 1, 5), proc(300, 100, 4, 70), proc(999, 1, 50, 999)];
    const reader: ProcReader = { ...fake([], cmd), all: () => table };
    const s = new Sampler(reader, { now: () => now }, { pss: true });
    const [first] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: { 'aaaaaaaa-1111': ['a.ipynb'] } }]);
    const by = (k: string | null) => first?.samples.find((x) => x.kernel === k);
    expect(by(null)).toMatchObject({ cpuSecondsTotal: 17, memoryBytes: 225 });
    expect(by('aaaaaaaa-1111')).toMatchObject({ cpuSecondsTotal: 11, memoryBytes: 55 });
    expect(by('bbbbbbbb-2222')).toMatchObject({ cpuSecondsTotal: 4, memoryBytes: 70 });
    expect(first?.processes.find((p) => p.pid === 201)).toMatchObject({ kernelId: 'aaaaaaaa-1111', command: 'sleep 600' });
    expect(first?.processes.some((p) => p.pid === 999)).toBe(false);

    // 10 s later: kernel a burnt 10 s (one core); its sleep child was killed and reaped (0.5 s more).
    now += 10_000;
    table = [proc(1, 0, 0, 0), proc(100, 1, 2, 100), proc(200, 100, 20, 50, 1.5), proc(300, 100, 4, 70)];
    const [second] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: {} }]);
    expect(second?.samples.find((x) => x.kernel === 'aaaaaaaa-1111')?.cpuSecondsTotal).toBeCloseTo(21.5);
    expect(second?.samples.find((x) => x.kernel === null)?.cpuSecondsTotal).toBeCloseTo(27.5);
    expect(second?.processes.find((p) => p.pid === 200)?.cpu).toBeCloseTo(1);
  });
  it('reports a runtime whose root is gone as empty rather than failing', () => {
    const s = new Sampler(fake([], {}), { now: () => 0 });
    const [snap] = s.sweep([{ user: 'bob', server: 'x', rootPid: 4242, notebooks: {} }]);
    expect(snap?.samples).toEqual([{ t: 0, user: 'bob', server: 'x', kernel: null, cpuSecondsTotal: 0, memoryBytes: 0 }]);
  });
});
