import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { judgeLook, type KernelSeen, type RuntimeLook } from './evidence.js';
import type { KernelActivity } from './kernels.js';
import { policies } from './policy.js';

const T0 = 1_800_000_000_000;
const at = (s: number) => T0 + s * 1000;
const policyWith = (culling: Record<string, unknown>) => {
  const c = loadConfig({ env: {}, overrides: { culling } });
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

  it('culling.busy_cpu_cores: a process at or above it is activity at its sample time, the runtime server itself is not', () => {
    const cpu = (cores: number, pid = 20) => ({ t: at(48), rootPid: 10, processes: [{ pid, cpu: cores, kernelId: 'k' }] });
    const kernels = [kernel('k', 'idle', at(0))];
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(0.1) }), spare).activityAt).toBe(at(48));
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(0.1) }), spare).kernels.get('k')?.lastBusy).toBe(at(48));
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(0.09) }), spare).activityAt).toBeNull();
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(2, 10) }), spare).activityAt).toBeNull();
    expect(judgeLook(none, look(at(50), { kernels, cpu: cpu(0.09) }), policyWith({ busy_cpu_cores: 0.05 })).activityAt).toBe(at(48));
  });

  it('culling.spare_busy false: busy kernels and processes are not activity', () => {
    const off = policyWith({ spare_busy: false });
    const r = judgeLook(none, look(at(50), { kernels: [kernel('k', 'busy', at(0))], cpu: { t: at(48), rootPid: 10, processes: [{ pid: 20, cpu: 1, kernelId: null }] } }), off);
    expect(r.activityAt).toBeNull();
    // The kernel is still remembered (for kernel culling).
    expect(r.kernels.get('k')?.busy).toBe(true);
  });

  it('keeps what it knew when the runtime does not answer', () => {
    const prev = judgeLook(none, look(at(50), { kernels: [kernel('k', 'busy', at(0))] }), spare).kernels;
    const r = judgeLook(prev, look(at(60), { prevT: at(50), kernels: null }), spare);
    expect(r.kernels.get('k')).toEqual(prev.get('k'));
    expect(r.activityAt).toBeNull();
  });
});
