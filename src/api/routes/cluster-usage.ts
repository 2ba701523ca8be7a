import type { FastifyPluginAsync } from 'fastify';
import { retentionDays } from '../../config/schema.js';
import { usableCluster, type ClusterDirectory } from '../../core/clusters.js';
import { parseClusterUsageParams } from '../../usage/cluster-params.js';
import { queryClusterUsage } from '../../usage/cluster-query.js';
import { usageJson } from '../../usage/usage-json.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';

/**
 * What a Spark cluster consumed (issue 19, item 5): its master, workers, and each application's executors and
 * driver, by component, application or submitting user, in the shape of GET /hub/api/usage. For the cluster's
 * users and admins.
 */
export const clusterUsageRoutes =
  (ctx: Pick<ApiContext, 'config' | 'clock' | 'store'> & { clusters: ClusterDirectory }): FastifyPluginAsync =>
  async (app) => {
    const m = ctx.config.monitoring;
    app.get<{ Params: { name: string } }>(
      '/clusters/:name/usage',
      {
        schema: {
          summary:
            "A cluster's CPU (cores, mean over each step) and memory (bytes, peak over each step) with totals, per component (master, worker-<n>, an application's executors or driver), application or submitting user. ?group_by=component|application|user|cluster&component=&application=&user=&from=&to=&step= (times: ISO 8601 or Unix seconds)",
        },
      },
      async (req, reply) => {
        const who = requireUser(req);
        const { name } = req.params;
        usableCluster(ctx.clusters, who, name);
        const p = parseClusterUsageParams(req.query as Record<string, unknown>, {
          now: ctx.clock.now(),
          intervalSeconds: m.interval_seconds,
          retentionDays: retentionDays(m),
        });
        const answer = await queryClusterUsage(ctx.store, name, p, ctx.clock.now());
        return reply.type('application/json; charset=utf-8').send(usageJson(answer));
      },
    );
  };
