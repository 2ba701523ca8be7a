import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStat } from '../procfs/proc.js';
import { LiveReader } from './live-reader.js';
import { startedOf } from './processes.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

describe('live reader', () => {
  it('waits a second only when it keeps no reading 1 to 5 s old, and asks meanwhile share that wait', async () => {
    // A stand-in runtime: a shell whose child burns CPU for a while.
    const root = spawn('bash', ['-c', `${PYTHON} -c "import time\nt = time.time()\nwhile time.time() - t < 20: pass" & wait`], { detached: true, stdio: 'ignore' });
    try {
      const st = readStat(root.pid as number);
      expect(st).toBeDefined();
      const rt = { pid: root.pid as number, started: startedOf(st!), others: [] };
      let waits = 0;
      let waited = Promise.resolve();
      const reader = new LiveReader({
        pss: false,
        sleep: (ms) => {
          waits++;
          waited = new Promise((r) => setTimeout(r, ms));
          return waited;
        },
      });
      await expect.poll(async () => (await reader.processes(rt)).length, { timeout: 10_000 }).toBe(2);
      const before = waits;
      await new Promise((r) => setTimeout(r, 1100));
      const [a, b] = await Promise.all([reader.processes(rt), reader.processes(rt)]);
      // A kept reading was 1 to 5 s old: no wait, and both answers have the burner at about a core.
      expect(waits).toBe(before);
      for (const list of [a, b]) {
        const burner = list.find((p) => p.command.startsWith(PYTHON));
        expect(burner?.cpu).toBeGreaterThan(0.2);
        expect(burner?.memory).toBeGreaterThan(1_000_000);
      }
      // Nothing kept is recent enough after 6 s: one wait, shared by two asks.
      await new Promise((r) => setTimeout(r, 6000));
      const [c, d] = await Promise.all([reader.processes(rt), reader.processes(rt)]);
      expect(waits).toBe(before + 1);
      expect(c).toBe(d);
      // A runtime that is gone has no processes.
      process.kill(-rt.pid, 'SIGKILL');
      await expect.poll(async () => (await reader.processes(rt)).length, { timeout: 10_000 }).toBe(0);
    } finally {
      try {
        process.kill(-(root.pid as number), 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 30_000);
});
