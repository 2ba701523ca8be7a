import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { ProcessExit, ProcessRunner, RunningProcess } from '../core/services.js';
import { ManagedService } from './managed.js';

/** A runner whose processes exit when the test says so. */
const fakeRunner = () => {
  let next = 100;
  const exits = new Map<number, (e: ProcessExit) => void>();
  const stopped: number[] = [];
  const runs: number[] = [];
  const logs: string[] = [];
  const runner: ProcessRunner = {
    run: async (r) => {
      logs.push(r.logFile);
      const pid = next++;
      runs.push(pid);
      const exited = new Promise<ProcessExit>((resolve) => exits.set(pid, resolve));
      return { pid, startTime: 1, exited } satisfies RunningProcess;
    },
    stop: async (p) => {
      stopped.push(p.pid);
      exits.get(p.pid)?.({ code: null, signal: 'SIGTERM' });
    },
    stopLeftover: async () => false,
    freePort: async () => 1234,
    alive: (p) => exits.has(p.pid),
  };
  return {
    runner,
    runs,
    logs,
    stopped,
    die: (pid: number) => exits.get(pid)?.({ code: 1, signal: null }),
  };
};

describe('ManagedService', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (f: ReturnType<typeof fakeRunner>) => {
    let starts = 0;
    return new ManagedService({
      name: 'board',
      command: ['board'],
      env: {},
      logFile: () => `/x/${++starts}-service.log`,
      pidFile: '/x/process.json',
      runner: f.runner,
      clock: { now: () => Date.now() },
      log: silentLogger,
      graceMs: 1000,
      backoff: { initialMs: 500, maxMs: 4000, healthyAfterMs: 60_000 },
    });
  };

  it('starts again after a death, later after each quick death in a row', async () => {
    const f = fakeRunner();
    const s = make(f);
    await s.start();
    expect(s.pid).toBe(100);
    f.die(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.pid).toBeNull();
    await vi.advanceTimersByTimeAsync(499);
    expect(f.runs).toEqual([100]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.pid).toBe(101);
    f.die(101);
    await vi.advanceTimersByTimeAsync(999);
    expect(f.runs).toEqual([100, 101]);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.pid).toBe(102);
    // Each start writes a file of its own (the log layout keeps the earlier ones).
    expect(f.logs).toEqual(['/x/1-service.log', '/x/2-service.log', '/x/3-service.log']);
    await s.stop();
  });

  it('is not started again once stopped, and stops its process', async () => {
    const f = fakeRunner();
    const s = make(f);
    await s.start();
    await s.stop();
    expect(f.stopped).toEqual([100]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(f.runs).toEqual([100]);
    expect(s.pid).toBeNull();
  });

  it('a stop while waiting to restart cancels the restart', async () => {
    const f = fakeRunner();
    const s = make(f);
    await s.start();
    f.die(100);
    await vi.advanceTimersByTimeAsync(0);
    await s.stop();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(f.runs).toEqual([100]);
  });
});
