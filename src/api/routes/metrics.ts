import { textBody } from '../response-docs.js';
import type { FastifyPluginAsync } from 'fastify';
import { CONTENT_TYPE, renderMetrics } from '../../metrics/exposition.js';
import { requireScope } from '../auth.js';
import type { ApiContext } from '../context.js';

const START_SECONDS = Date.now() / 1000 - process.uptime();

/** Prometheus text at /hub/metrics, for an admin's token (as JupyterHub's authenticate_prometheus). */
export const metricsRoutes =
  (ctx: ApiContext): FastifyPluginAsync =>
  async (app) => {
    app.get('/metrics', { schema: { summary: 'Prometheus metrics: per runtime and kernel, and the hub itself (admin token)', response: { 200: textBody('text/plain', "Prometheus' text format 0.0.4") } } }, async (req, reply) => {
      requireScope(req, 'read:metrics');
      const cpu = process.cpuUsage();
      const body = renderMetrics({
        snapshots: ctx.usage?.latest() ?? [],
        runtimes: ctx.servers.all().map((r) => ({
          user: r.user,
          server: r.name,
          state: r.state,
          memoryLimitBytes: ctx.config.profiles[r.profile]?.memory_limit_bytes || null,
        })),
        users: await ctx.store.users.count(),
        sampler: ctx.usage?.stats ?? { intervalSeconds: ctx.config.monitoring.interval_seconds, lastSweepSeconds: null, lastSweepDurationSeconds: null, sweeps: 0, errors: 0 },
        logShipping: ctx.logShipping?.stats() ?? [],
        logFeed: ctx.logFeed?.stats(),
        hub: { startTimeSeconds: START_SECONDS, residentMemoryBytes: process.memoryUsage.rss(), cpuSecondsTotal: (cpu.user + cpu.system) / 1e6 },
      });
      return reply.type(CONTENT_TYPE).send(body);
    });
  };
