import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../procfs/proc.js';
import type { ProcReader } from './proc-reader.js';
import { MAX_KERNEL_SERIES, Sampler } from './sampler.js';

const proc = (pid: number, ppid: number, cpu: number, rss: number, child = 0): ProcStat => ({
  pid, ppid, pgrp: pid, state: 'S', startTime: pid * 10, cpuSeconds: cpu, childCpuSeconds: child, rssBytes: rss,
});

const fake = (table: ProcStat[], cmd: Record<number, string[]>): ProcReader => ({
  all: () => table,
  cmdline: (pid) => cmd[pid],
  pss: () => undefined,
  // In these tables a process's start time is given directly in Unix ms.
  startedAt: (st) => st.startTime,
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
  it("counts a named app's tree (another root with the runtime's marker) to the runtime", () => {
    const table = [proc(1, 0, 0, 0), proc(100, 1, 2, 100), proc(400, 1, 3, 40), proc(401, 400, 1, 10), proc(999, 1, 50, 999)];
    const s = new Sampler(fake(table, { 400: ['streamlit'], 401: ['node'] }), { now: () => 0 });
    const [snap] = s.sweep([{ user: 'ann', server: '', rootPid: 100, others: [400], notebooks: {} }]);
    expect(snap?.samples.find((x) => x.kernel === null)).toMatchObject({ cpuSecondsTotal: 6, memoryBytes: 150 });
    expect(snap?.processes.map((p) => p.pid).sort()).toEqual([100, 400, 401]);
  });
  it('reports a runtime whose root is gone as empty rather than failing', () => {
    const s = new Sampler(fake([], {}), { now: () => 0 });
    const [snap] = s.sweep([{ user: 'bob', server: 'x', rootPid: 4242, notebooks: {} }]);
    expect(snap?.samples).toEqual([{ t: 0, user: 'bob', server: 'x', kernel: null, cpuSecondsTotal: 0, cpuSecondsFrom: 0, memoryBytes: 0 }]);
  });
  it('continues a stored counter for a series it meets, counting only processes started since its last sample', () => {
    // The runtime (started at t=1000) and kernel a were last stored at t=5000; kernel b started after that.
    const table = [proc(100, 1, 30, 100), proc(200, 100, 40, 50), proc(300, 100, 4, 70)].map((p) => ({ ...p, startTime: p.pid === 300 ? 6000 : 1000 }));
    const s = new Sampler({ ...fake(table, cmd) }, { now: () => 9000 });
    const [snap] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: {} }]);
    expect(snap?.fresh.sort()).toEqual(['', 'aaaaaaaa-1111', 'bbbbbbbb-2222']);
    expect(s.continueFrom('ann', '', '', { t: 5000, cpu: 500 })).toEqual({ from: 500, total: 504 });
    expect(s.continueFrom('ann', '', 'aaaaaaaa-1111', { t: 5000, cpu: 400 })).toEqual({ from: 400, total: 400 });
    // Only in the sweep that met it, and once.
    expect(s.continueFrom('ann', '', '', { t: 5000, cpu: 500 })).toBeUndefined();
    const [next] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: {} }]);
    expect(next?.fresh).toEqual([]);
    expect(next?.samples.find((x) => x.kernel === null)).toMatchObject({ cpuSecondsFrom: 504, cpuSecondsTotal: 504 });
    expect(next?.samples.find((x) => x.kernel === 'bbbbbbbb-2222')).toMatchObject({ cpuSecondsFrom: 4, cpuSecondsTotal: 4 });
  });
  it('keeps a kernel counter going while the kernel has no process for a sweep (a restart)', () => {
    let now = 0;
    let table = [proc(100, 1, 1, 1), proc(200, 100, 10, 1)];
    const s = new Sampler({ ...fake([], cmd), all: () => table }, { now: () => now });
    const ref = { user: 'ann', server: '', rootPid: 100, notebooks: {} };
    s.sweep([ref]);
    now = 10_000;
    table = [proc(100, 1, 1, 1)];
    s.sweep([ref]);
    now = 20_000;
    table = [proc(100, 1, 1, 1), { ...proc(200, 100, 2, 1), startTime: 15_000 }];
    const [snap] = s.sweep([ref]);
    expect(snap?.samples.find((x) => x.kernel === 'aaaaaaaa-1111')).toMatchObject({ cpuSecondsFrom: 10, cpuSecondsTotal: 12 });
  });
  it('bounds the kernel series of one runtime', () => {
    const many = Array.from({ length: MAX_KERNEL_SERIES + 10 }, (_, i) => proc(1000 + i, 100, 1, 1));
    const argv = Object.fromEntries(many.map((p) => [p.pid, ['python3', '-f', `/run/kernel-${String(p.pid).padStart(8, "0")}.json`]]));
    const s = new Sampler(fake([proc(100, 1, 0, 0), ...many], { 100: ['jupyter'], ...argv }), { now: () => 0 });
    const [snap] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: {} }]);
    expect(snap?.samples.filter((x) => x.kernel !== null)).toHaveLength(MAX_KERNEL_SERIES);
    expect(snap?.samples.find((x) => x.kernel === null)?.cpuSecondsTotal).toBe(MAX_KERNEL_SERIES + 10);
  });
});
