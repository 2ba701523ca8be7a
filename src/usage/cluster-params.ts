import { badRequest } from '../core/errors.js';
import { parseUsageParams, type UsageParams } from './params.js';

/** How a cluster's usage is grouped: the whole cluster, each component, each application, or each submitting user. */
export type ClusterGroupBy = 'cluster' | 'component' | 'application' | 'user';
const GROUPS: readonly ClusterGroupBy[] = ['cluster', 'component', 'application', 'user'];
/** The time parameters are the server usage API's (params.ts), with the same meaning and checks. */
const TIME = new Set(['from', 'to', 'step', 'token']);
const OWN = new Set(['group_by', 'component', 'application', 'user']);

export interface ClusterUsageParams extends Pick<UsageParams, 'from' | 'to' | 'step' | 'resolution' | 'sampleIntervalMs'> {
  groupBy: ClusterGroupBy;
  /** Only this component: master, worker-<n>, executors or driver. */
  component?: string | undefined;
  /** Only this application (an app id; a driver's submission id until its job knows its app). */
  application?: string | undefined;
  /** Only the applications of this submitting user (their SPARK_USER). */
  user?: string | undefined;
}

/** Validates GET /hub/api/clusters/{name}/usage's query: the server usage API's times, and what a cluster is split by. */
export const parseClusterUsageParams = (
  query: Record<string, unknown>,
  o: Parameters<typeof parseUsageParams>[1],
): ClusterUsageParams => {
  const time: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(query)) {
    if (TIME.has(key)) time[key] = v;
    else if (!OWN.has(key)) throw badRequest(`${key}: unknown parameter`);
  }
  const str = (name: string): string | undefined => {
    const v = query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw badRequest(`${name}: give it once, as a non-empty value`);
    return v;
  };
  const groupBy = (str('group_by') ?? 'component') as ClusterGroupBy;
  if (!GROUPS.includes(groupBy)) throw badRequest(`group_by: must be one of ${GROUPS.join(', ')}`);
  const { from, to, step, resolution, sampleIntervalMs } = parseUsageParams(time, o);
  const filters = { component: str('component'), application: str('application'), user: str('user') };
  if (groupBy === 'cluster' && Object.values(filters).some((v) => v !== undefined)) {
    throw badRequest('group_by=cluster is the whole cluster: it takes no component, application or user');
  }
  return { groupBy, from, to, step, resolution, sampleIntervalMs, ...filters };
};
