import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendants, readStat, type ProcStat } from '../procfs/proc.js';
import { createKernelProbe } from './kernel-probe.js';

const KERNEL = '1b2c3d4e-0000-4000-8000-00000000000a';
const started: ChildProcess[] = [];
// The system's Python: a version manager's shim in front of `python3` would add helper processes to the tree.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const dirs: string[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(-(c.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A stand-in runtime: a shell (the root) whose child names a kernel connection file, as ipykernel's does. */
const runtime = (script: string, { restarts = false } = {}): ChildProcess => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-probe-'));
  dirs.push(dir);
  const file = join(dir, `kernel-${KERNEL}.json`);
  // With restarts, a second kernel process with the same connection file follows the first one's end.
  const run = `${PYTHON} -c "$1" -f ${file}`;
  const child = spawn('bash', ['-c', restarts ? `${run}; ${run} & wait` : `${run} & wait`, 'runtime', script], { detached: true, stdio: 'ignore' });
  started.push(child);
  return child;
};


describe('kernel probe', () => {
  it("reads a kernel's CPU-seconds with its subprocesses, those that ended included, and finds nothing elsewhere", async () => {
    // The "kernel" burns ~0.5 s itself, then runs a child that burns ~0.5 s and is reaped, then sleeps.
    const rt = runtime(
      [
        'import time, subprocess, sys',
        't = time.process_time()',
        'while time.process_time() - t < 0.5: pass',
        'subprocess.run([sys.executable, "-c", "import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.5: pass"])',
        'time.sleep(60)',
      ].join('\n'),
    );
    const probe = createKernelProbe();
    await expect.poll(() => probe.read(rt.pid as number, KERNEL), { timeout: 10_000 }).toBeDefined();
    // Both halves: the kernel's own 0.5 s and its reaped child's (the kernel alone would read about 0.5). /proc counts
    // in clock ticks, each process's rounded down, so the sum may read 1.00 exactly on a loaded machine.
    await expect.poll(() => probe.read(rt.pid as number, KERNEL)?.cpuSeconds ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(0.98);
    const r = probe.read(rt.pid as number, KERNEL);
    expect(r?.cpuSeconds).toBeLessThan(1.6);
    expect(r?.memoryBytes).toBeGreaterThan(1_000_000);
    expect(probe.read(rt.pid as number, 'ffffffff-0000-4000-8000-000000000000')).toBeUndefined();
    // Another runtime's tree does not hold it.
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    started.push(other);
    expect(probe.read(other.pid as number, KERNEL)).toBeUndefined();
  });

  it('counts a live child of the kernel while it runs, as /proc reads it', async () => {
    const rt = runtime(['import subprocess, sys, time', 'subprocess.Popen([sys.executable, "-c", "while True: pass"])', 'time.sleep(60)'].join('\n'));
    const probe = createKernelProbe();
    // The stand-in kernel is the shell's child; the busy one is under it.
    let kernel: ProcStat | undefined;
    const direct = () =>
      kernel ? [readStat(kernel.pid), ...descendants(kernel.pid)].reduce((sum, p) => sum + (p?.cpuSeconds ?? 0) + (p?.childCpuSeconds ?? 0), 0) : 0;
    await expect
      .poll(() => {
        kernel = descendants(rt.pid as number).find((p) => p.ppid === rt.pid);
        return direct();
      }, { timeout: 10_000 })
      .toBeGreaterThan(0.3);
    // The child keeps burning while we read: the probe's figure lies between two direct readings.
    const before = direct();
    const got = probe.read(rt.pid as number, KERNEL)?.cpuSeconds ?? 0;
    const after = direct();
    expect(got).toBeGreaterThanOrEqual(before - 1e-9);
    expect(got).toBeLessThanOrEqual(after + 1e-9);
  });

  it('counts a child forked by another thread of the kernel once it looks at the other threads again', async () => {
    const rt = runtime(
      ['import subprocess, sys, threading, time', 'threading.Thread(target=lambda: subprocess.run([sys.executable, "-c", "while True: pass"])).start()', 'time.sleep(60)'].join('\n'),
    );
    let t = 0;
    const probe = createKernelProbe({ pss: false, now: () => t });
    await expect.poll(() => probe.read(rt.pid as number, KERNEL), { timeout: 10_000 }).toBeDefined();
    t += 5000; // the other threads' lists are due again
    await expect.poll(() => {
      t += 5000;
      return probe.read(rt.pid as number, KERNEL)?.cpuSeconds ?? 0;
    }, { timeout: 10_000 }).toBeGreaterThan(0.5);
  });

  it('follows a restarted kernel (another process under the same root), and closes what it keeps open when told the kernel is not followed', async () => {
    // The first process leaves a mark next to its connection file and ends; the second stays.
    const script = ['import os, sys, time', 'mark = sys.argv[-1] + ".ran"', 'first = not os.path.exists(mark)', 'open(mark, "w").close()', 'time.sleep(1.5 if first else 60)'];
    const rt = runtime(script.join('\n'), { restarts: true });
    const probe = createKernelProbe();
    /** This process's open files on the kernel's /proc entries. */
    const openOn = (pid: number) =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`/proc/${pid}/`);
        } catch {
          return false;
        }
      }).length;
    await expect.poll(() => probe.read(rt.pid as number, KERNEL), { timeout: 10_000 }).toBeDefined();
    const first = probe.read(rt.pid as number, KERNEL)?.process as string;
    const firstPid = Number(first.split(':')[0]);
    expect(openOn(firstPid)).toBe(2);
    await expect.poll(() => probe.read(rt.pid as number, KERNEL)?.process ?? first, { timeout: 10_000 }).not.toBe(first);
    const second = Number((probe.read(rt.pid as number, KERNEL)?.process as string).split(':')[0]);
    expect(openOn(firstPid)).toBe(0);
    expect(openOn(second)).toBe(2);
    probe.forget(rt.pid as number, KERNEL);
    expect(openOn(second)).toBe(0);
    // Read again: found where it was (no search of /proc), its files opened again.
    expect(probe.read(rt.pid as number, KERNEL)?.process).toBe(`${second}:${readStat(second)?.startTime}`);
    expect(openOn(second)).toBe(2);
    probe.forget(rt.pid as number, KERNEL);
  });
});
