import { CLUSTER_USAGE_USER, componentLabels, parseComponentKey } from '../core/cluster-usage.js';
import { RESOLUTION_MS, type Store } from '../core/store.js';
import { aggregate, type UsageAnswer } from './aggregate.js';
import type { ClusterUsageParams } from './cluster-params.js';

/** The jobs read to name a driver's application (newest first): a driver older than these keeps its own id. */
const JOBS_READ = 500;

/**
 * Answers GET /hub/api/clusters/{name}/usage from the cluster's usage series (core/cluster-usage.ts), with the
 * server usage API's aggregation (points of mean cores and peak memory per step, totals over the range). A
 * cluster-mode driver submitted through the hub counts to its job's application once the job knows it.
 */
export const queryClusterUsage = async (store: Store, cluster: string, p: ClusterUsageParams, now: number): Promise<UsageAnswer> => {
  const appOfDriver = new Map<string, string>();
  if (p.groupBy !== 'cluster') {
    const jobs = await store.sparkJobs.list({ cluster, offset: 0, limit: JOBS_READ });
    for (const j of jobs.items) if (j.submissionId !== null && j.appId !== null) appOfDriver.set(j.submissionId, j.appId);
  }
  const width = RESOLUTION_MS[p.resolution];
  const from = width > 0 ? Math.floor(p.from / width) * width : p.from;
  const series = await store.usage.series({
    resolution: p.resolution,
    from,
    to: p.to,
    user: CLUSTER_USAGE_USER,
    server: cluster,
    kernels: p.groupBy === 'cluster' ? 'runtime' : 'kernels',
    trailingMs: 3 * p.sampleIntervalMs,
  });
  return aggregate({
    series,
    from,
    to: p.to,
    step: p.step,
    rowWidth: width,
    sampleIntervalMs: p.sampleIntervalMs,
    now,
    labelsOf: (s): Record<string, string> | undefined => {
      if (p.groupBy === 'cluster') return { cluster };
      const c = parseComponentKey(s.kernel);
      if (!c) return undefined;
      const l = componentLabels(c);
      const application = c.kind === 'driver' ? (appOfDriver.get(c.driver) ?? l.application) : l.application;
      if (p.component !== undefined && l.component !== p.component) return undefined;
      if (p.application !== undefined && application !== p.application) return undefined;
      if (p.user !== undefined && (application === '' || l.user !== p.user)) return undefined;
      switch (p.groupBy) {
        case 'component':
          return { component: l.component, application, user: l.user };
        case 'application':
          // The master and the workers serve every application: they are no application's.
          return application === '' ? undefined : { application, user: l.user };
        case 'user':
          return application === '' ? undefined : { user: l.user };
      }
    },
  });
};
