import { isClusterUsage } from '../core/cluster-usage.js';
import type { KernelNotebook, Store } from '../core/store.js';
import { RESOLUTION_MS } from '../core/store.js';
import { aggregate, type SeriesKey, type UsageAnswer } from './aggregate.js';
import type { UsageParams } from './params.js';

/**
 * Answers /hub/api/usage from the store: rows of the chosen resolution, grouped. A kernel's notebook
 * label lists every notebook it served (several when shared) until execution history splits them.
 */
export const queryUsage = async (store: Store, p: UsageParams, now: number): Promise<UsageAnswer> => {
  const kernelLevel = p.groupBy === 'kernel' || p.groupBy === 'notebook' || p.kernel !== undefined || p.notebook !== undefined;
  const notebookRows = kernelLevel ? await store.usage.notebooks({ user: p.user, server: p.server }) : [];
  const notebooksOf = new Map<string, string[]>();
  for (const n of notebookRows) {
    const key = kernelKey(n);
    const list = notebooksOf.get(key) ?? [];
    list.push(n.notebook);
    notebooksOf.set(key, list);
  }
  // A rollup row stands for its whole bucket: the range starts at the bucket holding `from`.
  const width = RESOLUTION_MS[p.resolution];
  const from = width > 0 ? Math.floor(p.from / width) * width : p.from;
  const series = await store.usage.series({
    resolution: p.resolution,
    from,
    to: p.to,
    user: p.user,
    server: p.server,
    kernels: p.kernel !== undefined ? { id: p.kernel } : kernelLevel ? 'kernels' : 'runtime',
    trailingMs: 3 * p.sampleIntervalMs,
  });
  const notebookLabel = (r: SeriesKey) => (notebooksOf.get(kernelKey(r)) ?? []).join(',');
  return aggregate({
    series,
    from,
    to: p.to,
    step: p.step,
    rowWidth: width,
    sampleIntervalMs: p.sampleIntervalMs,
    now,
    labelsOf: (r): Record<string, string> | undefined => {
      // Spark clusters' series are no user's: GET /hub/api/clusters/{name}/usage answers them.
      if (p.user === undefined && isClusterUsage(r.user)) return undefined;
      if (p.notebook !== undefined && !(notebooksOf.get(kernelKey(r)) ?? []).includes(p.notebook)) return undefined;
      switch (p.groupBy) {
        case 'user':
          return { user: r.user };
        case 'server':
          return { user: r.user, server: r.server };
        case 'kernel':
          return { user: r.user, server: r.server, kernel: r.kernel, notebook: notebookLabel(r) };
        case 'notebook':
          return { user: r.user, server: r.server, notebook: notebookLabel(r) };
      }
    },
  });
};

const kernelKey = (r: Pick<KernelNotebook, 'user' | 'server' | 'kernel'>) => `${r.user}\u0000${r.server}\u0000${r.kernel}`;
