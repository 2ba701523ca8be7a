import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { Heartbeat } from './heartbeat.js';

const T0 = 1_800_000_000_000;
const LEASE_MS = 20_000;

describe('Heartbeat', () => {
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  const keeper = (heartbeat: (instance: string, at: number) => Promise<void>, log: Logger = silentLogger) =>
    new Heartbeat({ instances: { heartbeat }, clock: { now: () => Date.now() }, log, instance: 'hub-a', leaseMs: LEASE_MS });

  it('beats once before start() resolves, then every lease/4, and not after stop()', async () => {
    const beats: number[] = [];
    const h = keeper((_, at) => {
      beats.push(at);
      return Promise.resolve();
    });
    await h.start();
    expect(beats).toEqual([T0]);
    await vi.advanceTimersByTimeAsync(LEASE_MS / 4 - 1);
    expect(beats).toEqual([T0]);
    await vi.advanceTimersByTimeAsync(1 + (3 * LEASE_MS) / 4);
    expect(beats).toEqual([T0, T0 + 5_000, T0 + 10_000, T0 + 15_000, T0 + 20_000]);
    await h.stop();
    await vi.advanceTimersByTimeAsync(LEASE_MS * 2);
    expect(beats).toHaveLength(5);
  });

  it('logs a failed beat instead of throwing, and beats again at the next turn', async () => {
    const errors: string[] = [];
    const log = { ...silentLogger, error: (_: unknown, msg: string) => void errors.push(msg) };
    let calls = 0;
    const h = keeper(() => (++calls === 1 ? Promise.reject(new Error('store down')) : Promise.resolve()), log);
    await h.start();
    expect(errors).toEqual(['hub: cannot record the heartbeat']);
    await vi.advanceTimersByTimeAsync(LEASE_MS / 4);
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
    await h.stop();
  });

  it('waits for a beat under way when stopped, and starts no second one meanwhile', async () => {
    let release!: () => void;
    let calls = 0;
    const h = keeper(() => {
      calls++;
      return calls === 2 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    });
    await h.start();
    await vi.advanceTimersByTimeAsync(LEASE_MS / 4);
    // The second beat hangs: the next turn does not add a third.
    await vi.advanceTimersByTimeAsync(LEASE_MS / 4);
    expect(calls).toBe(2);
    let stopped = false;
    const stopping = h.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(calls).toBe(2);
  });
});
