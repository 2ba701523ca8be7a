import type { NewEvent } from '../core/events.js';
import type { RuntimeSnapshot } from '../core/usage.js';

/** What the agent last reported of each runtime (by `user/server`): its kernels and their notebooks. */
export type Reported = Record<string, { kernels: Record<string, string[]> }>;

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The events of one sweep, from what was reported before: runtimes and kernels that appeared or exited,
 * kernels whose notebooks changed, and every sample. A runtime still found but not sampled (waiting for
 * its counters) has not exited.
 */
export const sweepEvents = (before: Reported, snapshots: readonly RuntimeSnapshot[], foundKeys: ReadonlySet<string>, t: number): { events: NewEvent[]; after: Reported } => {
  const events: NewEvent[] = [];
  const after: Reported = {};
  for (const s of snapshots) {
    const key = `${s.user}/${s.server}`;
    const prev = before[key];
    // Events about a runtime seen in this sweep carry its sample's time.
    if (!prev) events.push({ type: 'runtime', time: s.t, user: s.user, server: s.server, change: 'appeared' });
    const kernels: Record<string, string[]> = {};
    for (const x of s.samples) {
      if (x.kernel === null) continue;
      const notebooks = [...(s.notebooks[x.kernel] ?? [])].sort();
      kernels[x.kernel] = notebooks;
      const had = prev?.kernels[x.kernel];
      if (!had) events.push({ type: 'kernel', time: s.t, user: s.user, server: s.server, kernel: x.kernel, change: 'appeared', notebooks });
      else if (!same(had, notebooks)) events.push({ type: 'kernel', time: s.t, user: s.user, server: s.server, kernel: x.kernel, change: 'notebooks', notebooks });
    }
    for (const k of Object.keys(prev?.kernels ?? {})) {
      if (!(k in kernels)) events.push({ type: 'kernel', time: s.t, user: s.user, server: s.server, kernel: k, change: 'exited', notebooks: [] });
    }
    after[key] = { kernels };
    for (const x of s.samples) {
      const kernel = x.kernel ?? '';
      events.push({
        type: 'sample',
        time: x.t,
        user: x.user,
        server: x.server,
        kernel,
        cpu_from: x.cpuSecondsFrom,
        cpu: x.cpuSecondsTotal,
        memory: x.memoryBytes,
        ...(s.fresh.includes(kernel) ? { fresh: true as const } : {}),
        ...(kernel === '' ? { root_cpu: s.rootCpuSeconds } : {}),
      });
    }
  }
  for (const [key, prev] of Object.entries(before)) {
    if (key in after) continue;
    if (foundKeys.has(key)) {
      after[key] = prev;
      continue;
    }
    const slash = key.indexOf('/');
    events.push({ type: 'runtime', time: t, user: key.slice(0, slash), server: key.slice(slash + 1), change: 'exited' });
  }
  return { events, after };
};
