import { describe, expect, it } from 'vitest';
import type { ProcReader } from '../agent/proc-reader.js';
import { Sampler } from '../agent/sampler.js';
import type { ProcStat } from '../procfs/proc.js';
import { cpuBusy, cpuReadingOf, type CpuReading, type CpuSeen } from './cpu.js';

const T0 = 1_800_000_000_000;
const at = (s: number) => T0 + s * 1000;
const reading = (t: number, total: number, root: number | null = 10, o: Partial<CpuReading> = {}): CpuReading => ({ t, total, root, fresh: false, kernels: new Map(), ...o });
const seen = (r: CpuReading, known = true): CpuSeen => ({ reading: r, verdict: { known, busy: false, t: known ? r.t : null, busyKernels: [] } });
const MAX_AGE = 4000;

describe('cpuBusy: the runtime counter between two readings', () => {
  it('busy at or above the threshold, over the time between the readings, without the server process', () => {
    const prev = seen(reading(at(0), 100, 10));
    expect(cpuBusy(prev, reading(at(2), 100.2, 10), at(3), MAX_AGE, 0.1)).toEqual({ known: true, busy: true, t: at(2), busyKernels: [] });
    expect(cpuBusy(prev, reading(at(2), 100.19, 10), at(3), MAX_AGE, 0.1)).toMatchObject({ known: true, busy: false });
    expect(cpuBusy(prev, reading(at(2), 101, 11), at(3), MAX_AGE, 0.1)).toMatchObject({ known: true, busy: false });
  });

  it('unknown, not idle: no reading, a stale one (older than two intervals), the first, or one whose counter restarted', () => {
    const prev = seen(reading(at(0), 100));
    expect(cpuBusy(prev, null, at(3), MAX_AGE, 0.1).known).toBe(false);
    expect(cpuBusy(prev, reading(at(2), 100), at(6.001), MAX_AGE, 0.1).known).toBe(false);
    expect(cpuBusy(null, reading(at(2), 100), at(3), MAX_AGE, 0.1).known).toBe(false);
    expect(cpuBusy(prev, reading(at(2), 5, 10, { fresh: true }), at(3), MAX_AGE, 0.1).known).toBe(false);
    expect(cpuBusy(prev, reading(at(2), 100, null), at(3), MAX_AGE, 0.1).known).toBe(false);
  });

  it('the same reading again gives the same verdict (counted once, not turned into idle)', () => {
    const busy: CpuSeen = { reading: reading(at(2), 100.2), verdict: { known: true, busy: true, t: at(2), busyKernels: ['k'] } };
    expect(cpuBusy(busy, reading(at(2), 100.2), at(3), MAX_AGE, 0.1)).toBe(busy.verdict);
    expect(cpuBusy(seen(reading(at(2), 100), false), reading(at(2), 100), at(3), MAX_AGE, 0.1).known).toBe(false);
  });

  it("a kernel's own counter names it busy", () => {
    const k = (total: number, fresh = false) => ({ total, fresh });
    const prev = seen(reading(at(0), 100, 10, { kernels: new Map([['a', k(50)], ['b', k(20)], ['d', k(1)]]) }));
    // d restarted: its counter went on from the store, so no increment is read from it.
    const cur = reading(at(2), 102, 10, { kernels: new Map([['a', k(52)], ['b', k(20)], ['c', k(5)], ['d', k(9, true)]]) });
    expect(cpuBusy(prev, cur, at(2), MAX_AGE, 0.1).busyKernels).toEqual(['a']);
  });
});

describe('cpuReadingOf a real sampler sweep (fake /proc)', () => {
  const proc = (pid: number, ppid: number, cpu: number, child = 0): ProcStat => ({ pid, ppid, pgrp: pid, state: 'S', startTime: pid, cpuSeconds: cpu, childCpuSeconds: child, rssBytes: 1 });
  const cmd: Record<number, string[]> = { 100: ['jupyter-server'], 200: ['python3', '-m', 'ipykernel_launcher', '-f', '/run/kernel-aaaaaaaa-1111.json'], 300: ['bash'], 301: ['make'] };
  const sweeper = () => {
    let table: ProcStat[] = [];
    let now = at(0);
    const reader: ProcReader = { all: () => table, cmdline: (pid) => cmd[pid], pss: () => undefined, startedAt: (st) => st.startTime };
    const s = new Sampler(reader, { now: () => now });
    return (t: number, procs: ProcStat[]) => {
      now = t;
      table = procs;
      const [snap] = s.sweep([{ user: 'ann', server: '', rootPid: 100, notebooks: {} }]);
      return cpuReadingOf(snap as NonNullable<typeof snap>) as CpuReading;
    };
  };

  it("a short `make` in a terminal that came and went between two sweeps is counted (its shell reaped it); the server's own CPU is not", () => {
    const sweep = sweeper();
    const first = sweep(at(0), [proc(100, 1, 5), proc(200, 100, 1), proc(300, 100, 0.1)]);
    expect(first.fresh).toBe(true);
    expect(cpuBusy(null, first, at(0), MAX_AGE, 0.1).known).toBe(false);
    const base = seen(first);
    // The server served a polling tab (1 s); make ran 1.5 s and was reaped by bash before this sweep.
    const second = sweep(at(2), [proc(100, 1, 6), proc(200, 100, 1), proc(300, 100, 0.1, 1.5)]);
    expect(second.fresh).toBe(false);
    expect(cpuBusy(base, second, at(2), MAX_AGE, 0.1)).toMatchObject({ known: true, busy: true, t: at(2) });
    // Only the server busy: idle.
    const third = sweep(at(4), [proc(100, 1, 8), proc(200, 100, 1), proc(300, 100, 0.1, 1.5)]);
    expect(cpuBusy(seen(second), third, at(4), MAX_AGE, 0.1)).toMatchObject({ known: true, busy: false });
  });

  it('a process that runs across sweeps counts to its kernel', () => {
    const sweep = sweeper();
    const first = sweep(at(0), [proc(100, 1, 5), proc(200, 100, 1)]);
    const second = sweep(at(2), [proc(100, 1, 5), proc(200, 100, 1), { ...proc(301, 200, 0.5), startTime: at(1) }]);
    expect(second.kernels.get('aaaaaaaa-1111')?.total).toBeCloseTo(1.5);
    expect(cpuBusy(seen(first), second, at(2), MAX_AGE, 0.1)).toMatchObject({ busy: true, busyKernels: ['aaaaaaaa-1111'] });
  });
});
