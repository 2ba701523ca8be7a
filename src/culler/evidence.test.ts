import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { CpuReading } from './cpu.js';
import { idleStopAllowed, judgeLook, type KernelSeen, type RuntimeLook } from './evidence.js';
import type { KernelActivity } from './kernels.js';
import { policies } from './policy.js';

const T0 = 1_800_000_000_000;
const at = (s: number) => T0 + s * 1000;
const policyWith = (culling: Record<string, unknown>) => {
  const c = loadConfig({ env: {}, overrides: { culling: { warn_seconds: 5, ...culling } } });
  return policies(c.culling, c.profiles)('alice', 'default');
};
const spare = policyWith({});
const kernel = (id: string, executionState: string, lastActivity: number | null): KernelSeen => ({ id, executionState, lastActivity });
const look = (t: number, o: Partial<RuntimeLook> = {}): RuntimeLook => ({ t, prevT: null, lastCounted: null, kernels: [], cpu: null, ...o });
const none = new Map<string, KernelActivity>();

describe('judgeLook: activity the proxy cannot see', () => {
  it('a busy kernel (a silent cell, or one sleeping) is activity now', () => {
    const r = judgeLook(none, look(at(50), { kernels: [kernel('k', 'busy', at(0))] }), spare);
    expect(r.activityAt).toBe(at(50));
    expect(r.kernels.get('k')).toEqual({ id: 'k', busy: true, lastMessage: at(0), lastBusy: at(50) });
  });

  it('a kernel busy at the last look and idle now was active until its last message (the end of the cell)', () => {
    const prev = judgeLook(none, look(at(50), { kernels: [kernel('k', 'busy', at(0))] }), spare).kernels;
    const r = judgeLook(prev, look(at(60), { prevT: at(50), lastCounted: at(50), kernels: [kernel('k', 'idle', at(57))] }), spare);
    expect(r.activityAt).toBe(at(57));
    expect(r.kernels.get('k')).toMatchObject({ busy: false, lastBusy: at(57) });
    // Then nothing more: an idle kernel is no activity.
    expect(judgeLook(r.kernels, look(at(70), { prevT: at(60), lastCounted: at(57), kernels: [kernel('k', 'idle', at(57))] }), spare).activityAt).toBeNull();
  });

  it("a cell shorter than the look interval ends at the kernel's last message after the counted execute request", () => {
    const prev = judgeLook(none, look(at(50), { kernels: [kernel('k', 'idle', at(40))] }), spare).kernels;
    // execute_request counted at 52 (by the proxy), reply at 55.
    const r = judgeLook(prev, look(at(60), { prevT: at(50), lastCounted: at(52), kernels: [kernel('k', 'idle', at(55))] }), spare);
    expect(r.activityAt).toBe(at(55));
  });

  it("a kernel left 'starting' (nobody connected to it) is not busy", () => {
    expect(judgeLook(none, look(at(50), { kernels: [kernel('k', 'starting', at(0))] }), spare).activityAt).toBeNull();
  });

  it("a kernel's messages alone are not activity (a reconnecting tab's kernel_info)", () => {
    const prev = judgeLook(none, look(at(50), { kernels: [kernel('k', 'idle', at(40))] }), spare).kernels;
    const r = judgeLook(prev, look(at(60), { prevT: at(50), lastCounted: at(10), kernels: [kernel('k', 'idle', at(55))] }), spare);
    expect(r.activityAt).toBeNull();
    expect(r.kernels.get('k')?.lastMessage).toBe(at(55));
  });

  it('culling.busy_cpu_cores: the runtime at or above it between two readings is activity at the later one; busy kernels get its time', () => {
    const reading = (t: number, total: number, root: number, kernels: Record<string, number> = {}): CpuReading => ({
      t, total, root, fresh: false, kernels: new Map(Object.entries(kernels).map(([id, k]) => [id, { total: k, fresh: false }])),
    });
    const base = { reading: reading(at(46), 100, 10, { k: 50 }), verdict: { known: true, busy: false, t: at(46), busyKernels: [] } };
    const kernels = [kernel('k', 'idle', at(0))];
    const cpu = (total: number, root = 10, k = 50) => ({ prev: base, cur: reading(at(48), total, root, { k }), maxAgeMs: 4000 });
    // 0.2 CPU seconds over 2 s: 0.1 cores.
    const r = judgeLook(none, look(at(50), { kernels, cpu: cpu(100.2, 10, 50.2) }), spare);
    expect(r).toMatchObject({ activityAt: at(48), known: true, busy: true });
    expect(r.kernels.get('k')?.lastBusy).toBe(at(48));
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(100.18) }), spare)).toMatchObject({ activityAt: null, known: true, busy: false });
    // The server process's own CPU (a polling tab) is left out.
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(102, 12) }), spare).activityAt).toBeNull();
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(100.18) }), policyWith({ busy_cpu_cores: 0.05 })).activityAt).toBe(at(48));
  });

  it('culling.spare_busy false: busy kernels and CPU are not activity', () => {
    const off = policyWith({ spare_busy: false });
    const r = judgeLook(none, look(at(50), { kernels: [kernel('k', 'busy', at(0))] }), off);
    expect(r.activityAt).toBeNull();
    // The kernel is still remembered (for kernel culling).
    expect(r.kernels.get('k')?.busy).toBe(true);
  });

  it('a runtime that does not answer is unknown, not idle: kernels last seen busy stay busy, those seen idle stay idle', () => {
    const prev = judgeLook(none, look(at(50), { kernels: [kernel('b', 'busy', at(0)), kernel('i', 'idle', at(10))] }), spare).kernels;
    const r = judgeLook(prev, look(at(60), { prevT: at(50), kernels: 'failed' }), spare);
    expect(r).toMatchObject({ activityAt: at(60), known: false, busy: true });
    expect(r.kernels.get('b')).toMatchObject({ busy: true, lastBusy: at(60) });
    expect(r.kernels.get('i')).toEqual(prev.get('i'));
    // Nothing was busy: no activity, and still unknown.
    const idle = judgeLook(new Map([['i', prev.get('i') as KernelActivity]]), look(at(60), { prevT: at(50), kernels: 'failed' }), spare);
    expect(idle).toMatchObject({ activityAt: null, known: false, busy: false });
  });
});

describe('idleStopAllowed: an idle verdict is held while looks fail', () => {
  const p = policyWith({ idle_timeout_seconds: 20 });
  it('acts after a known look, and whatever the looks say when busy is not spared', () => {
    expect(idleStopAllowed(undefined, p, at(100))).toBe(true);
    expect(idleStopAllowed({ firstLook: at(0), unknownSince: null, lastKnown: { t: at(99), busy: false } }, p, at(100))).toBe(true);
    expect(idleStopAllowed({ firstLook: at(0), unknownSince: at(90), lastKnown: null }, policyWith({ idle_timeout_seconds: 20, spare_busy: false }), at(100))).toBe(true);
  });

  it('while looks fail: only once the last known look saw it idle a whole timeout ago (or the first look, if none told)', () => {
    const failing = (lastKnown: { t: number; busy: boolean } | null) => ({ firstLook: at(0), unknownSince: at(50), lastKnown });
    expect(idleStopAllowed(failing({ t: at(45), busy: false }), p, at(64.999))).toBe(false);
    expect(idleStopAllowed(failing({ t: at(45), busy: false }), p, at(65))).toBe(true);
    expect(idleStopAllowed(failing({ t: at(45), busy: true }), p, at(1e6))).toBe(false);
    expect(idleStopAllowed(failing(null), p, at(19))).toBe(false);
    expect(idleStopAllowed(failing(null), p, at(20))).toBe(true);
  });
});
