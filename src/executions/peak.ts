import type { Store } from '../core/store.js';

/** The highest memory the sampler stored for a kernel within [from, to] (ms), or null when it took no sample then. */
export const peakBetween = async (store: Store, k: { user: string; server: string; kernelId: string }, from: number, to: number): Promise<number | null> => {
  const rows = await store.usage.query({ resolution: 'raw', from, to, user: k.user, server: k.server, kernels: { id: k.kernelId } });
  let peak: number | null = null;
  // The query also returns the row just before and just after the range (baselines for rates): not inside.
  for (const r of rows) if (r.t >= from && r.t <= to) peak = Math.max(peak ?? 0, r.memory);
  return peak;
};
