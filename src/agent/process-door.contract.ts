import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDoor, RuntimeProcess, RuntimeRef } from '../core/process-door.js';

export const DOOR_HUB = 'hub-door-contract';
const KERNEL = '5e1f0000-0000-4000-8000-00000000d00d';
// The system's Python: a version manager's shim in front of `python3` would add helper processes to the tree.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/**
 * A stand-in runtime marked as the spawner marks one (finder.ts): a shell as its root, and under it a
 * "kernel" naming its connection file, as ipykernel does, that burns CPU now and then and has a child.
 */
const standIn = (user: string, server: string, dir: string): ChildProcess => {
  const kernel = [
    'import subprocess, time',
    'subprocess.Popen(["sleep", "600"])',
    'while True:',
    '    t = time.process_time()',
    '    while time.process_time() - t < 0.1: pass',
    '    time.sleep(0.2)',
  ].join('\n');
  return spawn('bash', ['-c', `${PYTHON} -c "$1" -f ${join(dir, `kernel-${KERNEL}.json`)} & wait`, 'runtime', kernel], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NBHUB_RUNTIME: `${user}/${server}`, NBHUB_HUB: DOOR_HUB },
  });
};

/**
 * What the hub relies on from any ProcessDoor (the in-process agent and an agent over its API), over real
 * processes: kernel readings, the process list, and signals only to the runtime's own processes, never to
 * a pid that is now another process. `open` gives a door onto an agent that follows DOOR_HUB's runtimes.
 */
export const processDoorContract = (name: string, open: () => Promise<{ door: ProcessDoor; close: () => Promise<void> }>): void => {
  describe(`ProcessDoor contract: ${name}`, () => {
    let door: ProcessDoor;
    let close: () => Promise<void>;
    let root: ChildProcess;
    let dir: string;
    const rt: RuntimeRef = { user: 'ann', server: 'door', rootPid: null };
    const list = async () => (await door.processes(rt)) ?? [];
    const sleeper = async (): Promise<RuntimeProcess> => {
      let found: RuntimeProcess | undefined;
      await expect.poll(async () => (found = (await list()).find((p) => p.command === 'sleep 600')), { timeout: 10_000 }).toBeDefined();
      return found as RuntimeProcess;
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nbhub-door-'));
      root = standIn(rt.user, rt.server, dir);
      ({ door, close } = await open());
    });
    afterAll(async () => {
      try {
        process.kill(-(root.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
      await close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reads a kernel whose counter grows with the CPU it burns, the same process each time', async () => {
      await expect.poll(() => door.readKernel(rt, KERNEL), { timeout: 10_000 }).toBeDefined();
      const first = await door.readKernel(rt, KERNEL);
      expect(first?.memoryBytes).toBeGreaterThan(1_000_000);
      await expect.poll(async () => (await door.readKernel(rt, KERNEL))?.cpuSeconds ?? 0, { timeout: 10_000 }).toBeGreaterThan((first?.cpuSeconds ?? 0) + 0.2);
      expect((await door.readKernel(rt, KERNEL))?.process).toBe(first?.process);
      expect(await door.readKernel(rt, 'ffffffff-0000-4000-8000-000000000000')).toBeUndefined();
      door.forgetKernel(rt, KERNEL);
      // Forgotten is only what was kept to read it fast: it is read again.
      expect((await door.readKernel(rt, KERNEL))?.process).toBe(first?.process);
    });

    it('lists the runtime’s processes with their kernel and start time', async () => {
      const child = await sleeper();
      const all = await list();
      const rootProc = all.find((p) => p.pid === root.pid);
      expect(rootProc).toMatchObject({ kernelId: null, command: expect.stringContaining('bash') });
      const kernel = all.find((p) => p.command.startsWith(`${PYTHON} -c`));
      expect(kernel?.kernelId).toBe(KERNEL);
      expect(child).toMatchObject({ ppid: kernel?.pid, kernelId: KERNEL });
      for (const p of all) expect(Math.abs(p.started - Date.now())).toBeLessThan(600_000);
      expect(all.some((p) => p.pid === process.pid)).toBe(false);
    });

    it('gives each process its CPU and memory now: the kernel what it burns (up to a third of a core), a sleeper none', async () => {
      await sleeper();
      // Asked twice in a row: the second answer's rate is over a reading kept from the first (1 to 5 s before).
      for (let i = 0; i < 2; i++) {
        const all = await list();
        const kernel = all.find((p) => p.command.startsWith(`${PYTHON} -c`));
        // A third of a core on a quiet machine; a busy one gives the stand-in less (test/live-figures.e2e is exact).
        expect(kernel?.cpu).toBeGreaterThan(0.03);
        expect(kernel?.cpu).toBeLessThan(0.6);
        expect(kernel?.memory).toBeGreaterThan(1_000_000);
        expect(all.find((p) => p.command === 'sleep 600')?.cpu).toBeLessThan(0.05);
      }
    });

    it('refuses a pid outside the runtime, and one that is now another process (its start time differs)', async () => {
      const outside = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
      try {
        expect(await door.signal(rt, outside.pid as number, 'SIGTERM')).toBe('no-such-process');
        expect(await door.signal(rt, process.pid, 'SIGTERM')).toBe('no-such-process');
        expect(outside.exitCode).toBeNull();
        const child = await sleeper();
        expect(await door.signal(rt, child.pid, 'SIGKILL', child.started + 10_000)).toBe('no-such-process');
        expect((await list()).find((p) => p.pid === child.pid)?.started).toBe(child.started);
      } finally {
        outside.kill('SIGKILL');
      }
    });

    it('signals a process of the runtime, which then ends', async () => {
      const child = await sleeper();
      expect(await door.signal(rt, child.pid, 'SIGTERM', child.started)).toBe('signalled');
      await expect.poll(async () => (await list()).some((p) => p.pid === child.pid), { timeout: 10_000 }).toBe(false);
      // Its pid is no process of the runtime any more.
      expect(await door.signal(rt, child.pid, 'SIGTERM')).toBe('no-such-process');
    });

    it('finds no runtime it does not follow', async () => {
      const nobody: RuntimeRef = { user: 'nobody', server: '', rootPid: null };
      expect(await door.processes(nobody)).toBeUndefined();
      expect(await door.signal(nobody, root.pid as number, 'SIGTERM')).toBe('no-such-runtime');
      expect(await door.readKernel(nobody, KERNEL)).toBeUndefined();
      expect(root.exitCode).toBeNull();
    });
  });
};
