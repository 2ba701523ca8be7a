import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { decideCull, type ServerActivity } from './decide.js';
import { idleKernels, type KernelActivity } from './kernels.js';
import { policies } from './policy.js';

/** A fake clock: times are seconds after T0, as ms. */
const T0 = 1_800_000_000_000;
const at = (s: number) => T0 + s * 1000;

/** Warned 5 s ahead unless a test says otherwise (the default 300 s is refused with timeouts this short). */
const policyWith = (config: { culling?: Record<string, unknown>; profiles?: Record<string, unknown> }, user = 'alice', profile = 'default') => {
  const c = loadConfig({ env: {}, overrides: { ...config, culling: { warn_seconds: 5, ...config.culling } } });
  return policies(c.culling, c.profiles)(user, profile);
};
const running = (lastActivity: number, started = at(0)): ServerActivity => ({ state: 'running', started, lastActivity });

describe('decideCull (activity, policy, now) → verdict', () => {
  const p = policyWith({ culling: { idle_timeout_seconds: 20 } });

  it('culling.idle_timeout_seconds: keeps a server until its last activity is that old, then stops it as idle', () => {
    expect(decideCull(running(at(10)), p, at(29.999))).toEqual({ kind: 'keep', schedule: { cullAt: at(30), warnAt: at(25), reason: 'idle' } });
    expect(decideCull(running(at(10)), p, at(30))).toMatchObject({ kind: 'stop', reason: 'idle', schedule: { cullAt: at(30) } });
    // Activity moves the deadline.
    expect(decideCull(running(at(25)), p, at(30))).toMatchObject({ kind: 'keep', schedule: { cullAt: at(45) } });
  });

  it('counts from the start when nothing was recorded, and judges only running servers', () => {
    expect(decideCull({ state: 'running', started: at(0), lastActivity: null }, p, at(20))).toMatchObject({ kind: 'stop', reason: 'idle' });
    for (const state of ['pending', 'stopping', 'stopped', 'failed'] as const) {
      expect(decideCull({ state, started: at(0), lastActivity: at(0) }, p, at(1000))).toEqual({ kind: 'keep', schedule: null });
    }
  });

  it('culling.idle_timeout_seconds 0 turns idle culling off', () => {
    expect(decideCull(running(at(0)), policyWith({ culling: { idle_timeout_seconds: 0 } }), at(1e6))).toEqual({ kind: 'keep', schedule: null });
  });

  it('culling.enabled false keeps everything', () => {
    expect(decideCull(running(at(0)), policyWith({ culling: { enabled: false, idle_timeout_seconds: 20, max_age_seconds: 30 } }), at(1e6))).toEqual({ kind: 'keep', schedule: null });
  });

  it('culling.max_age_seconds stops a server that age from its start however active, with reason max_age', () => {
    const aged = policyWith({ culling: { idle_timeout_seconds: 20, max_age_seconds: 60 } });
    expect(decideCull(running(at(59)), aged, at(59))).toMatchObject({ kind: 'keep', schedule: { cullAt: at(60), reason: 'max_age' } });
    expect(decideCull(running(at(60)), aged, at(60))).toMatchObject({ kind: 'stop', reason: 'max_age' });
    // The earlier deadline is the one shown, and the reason when both passed.
    expect(decideCull(running(at(10)), aged, at(29))).toMatchObject({ kind: 'keep', schedule: { cullAt: at(30), reason: 'idle' } });
    expect(decideCull(running(at(35)), aged, at(100))).toMatchObject({ kind: 'stop', reason: 'idle' });
    expect(decideCull(running(at(50)), aged, at(100))).toMatchObject({ kind: 'stop', reason: 'max_age' });
    // Off by default.
    expect(decideCull(running(at(1e6)), p, at(1e6)).kind).toBe('keep');
  });

  it('culling.warn_seconds sets when users are warned', () => {
    const warned = policyWith({ culling: { idle_timeout_seconds: 20, warn_seconds: 15 } });
    expect(decideCull(running(at(10)), warned, at(12))).toMatchObject({ schedule: { cullAt: at(30), warnAt: at(15) } });
  });

  it('culling.exempt_users are never culled; others are', () => {
    const c = { culling: { idle_timeout_seconds: 20, max_age_seconds: 30, exempt_users: ['root'] } };
    expect(decideCull(running(at(0)), policyWith(c, 'root'), at(1e6))).toEqual({ kind: 'keep', schedule: null });
    expect(decideCull(running(at(0)), policyWith(c, 'alice'), at(1e6)).kind).toBe('stop');
  });

  it('profiles.<name>.culling overrides the global keys for that profile only', () => {
    const c = {
      culling: { idle_timeout_seconds: 20 },
      profiles: { long: { culling: { idle_timeout_seconds: 600, max_age_seconds: 3600 } }, pinned: { culling: { enabled: false } }, plain: {} },
    };
    expect(decideCull(running(at(0)), policyWith(c, 'alice', 'long'), at(599))).toMatchObject({ kind: 'keep', schedule: { cullAt: at(600) } });
    expect(decideCull(running(at(0)), policyWith(c, 'alice', 'long'), at(600)).kind).toBe('stop');
    expect(decideCull(running(at(0)), policyWith(c, 'alice', 'pinned'), at(1e6)).kind).toBe('keep');
    expect(decideCull(running(at(0)), policyWith(c, 'alice', 'plain'), at(20)).kind).toBe('stop');
    expect(decideCull(running(at(0)), policyWith(c, 'alice', 'unknown'), at(20)).kind).toBe('stop');
  });
});

describe('idleKernels: culling.kernel_idle_timeout_seconds', () => {
  const k = (id: string, o: Partial<KernelActivity>): KernelActivity => ({ id, busy: false, lastMessage: null, lastBusy: null, ...o });
  const kernels = [
    k('old', { lastMessage: at(0) }),
    k('recent', { lastMessage: at(15) }),
    k('busy-silent', { busy: true, lastMessage: at(0), lastBusy: at(29) }),
    k('was-busy', { lastMessage: at(0), lastBusy: at(20) }),
    k('unknown', {}),
  ];

  it('is off by default and when culling is disabled', () => {
    expect(idleKernels(kernels, policyWith({}), at(1e6))).toEqual([]);
    expect(idleKernels(kernels, policyWith({ culling: { enabled: false, kernel_idle_timeout_seconds: 20 } }), at(1e6))).toEqual([]);
  });

  it('shuts kernels idle for the timeout, sparing busy ones and counting their busy time', () => {
    expect(idleKernels(kernels, policyWith({ culling: { kernel_idle_timeout_seconds: 20 } }), at(30))).toEqual(['old']);
    expect(idleKernels(kernels, policyWith({ culling: { kernel_idle_timeout_seconds: 20 } }), at(40))).toEqual(['old', 'recent', 'was-busy']);
  });

  it('culling.spare_busy false: only the kernel messages count, busy or not', () => {
    expect(idleKernels(kernels, policyWith({ culling: { kernel_idle_timeout_seconds: 20, spare_busy: false } }), at(30))).toEqual(['old', 'busy-silent', 'was-busy']);
  });

  it('a profile may turn it on for its runtimes only', () => {
    const c = { profiles: { small: { culling: { kernel_idle_timeout_seconds: 20 } } } };
    expect(idleKernels(kernels, policyWith(c, 'alice', 'small'), at(30))).toEqual(['old']);
    expect(idleKernels(kernels, policyWith(c, 'alice', 'default'), at(30))).toEqual([]);
  });
});
