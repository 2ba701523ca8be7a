import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { retentionDays } from '../../config/schema.js';
import { forbidden } from '../../core/errors.js';
import { parseUsageParams } from '../../usage/params.js';
import { queryUsage } from '../../usage/query.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';

export const usageRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const m = ctx.config.monitoring;
    app.get(
      '/usage',
      {
        schema: {
          summary:
            'CPU (cores, mean over each step) and memory (bytes, peak over each step) per user, server, kernel or notebook, with totals. ?user=&server=&kernel=&notebook=&group_by=user|server|kernel|notebook&from=&to=&step= (times: ISO 8601 or Unix seconds)',
        },
      },
      async (req) => {
        const who = requireUser(req);
        const p = parseUsageParams(req.query as Record<string, unknown>, {
          now: ctx.clock.now(),
          intervalSeconds: m.interval_seconds,
          retentionDays: retentionDays(m),
        });
        // Users see their own consumption; admins anyone's (all users when none is named).
        if (!who.admin) {
          if (p.user !== undefined && p.user !== who.user) throw forbidden(`Usage of ${p.user} is not yours to see`);
          p.user = who.user;
        }
        return queryUsage(ctx.store, p, ctx.clock.now());
      },
    );
  };
