import { allows } from '../../core/scopes.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { retentionDays } from '../../config/schema.js';
import { forbidden } from '../../core/errors.js';
import { parseUsageParams } from '../../usage/params.js';
import { queryUsage } from '../../usage/query.js';
import { usageJson } from '../../usage/usage-json.js';
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
      async (req, reply) => {
        const who = requireUser(req);
        const p = parseUsageParams(req.query as Record<string, unknown>, {
          now: ctx.clock.now(),
          intervalSeconds: m.interval_seconds,
          retentionDays: retentionDays(m),
        });
        // Users see their own consumption; admins anyone's (all users when none is named).
        if (!allows(who.scopes, 'read:usage')) {
          const user = p.user ?? who.user;
          if (!allows(who.scopes, 'read:usage', { user })) throw forbidden(`Missing scope: read:usage!user=${user}`);
          p.user = user;
        }
        const answer = await queryUsage(ctx.store, p, ctx.clock.now());
        // The body is written from the answer's columns (usage-json.ts): the same bytes as fastify's
        // JSON.stringify of the object form, without an object per point or a string of the whole.
        return reply.type('application/json; charset=utf-8').send(usageJson(answer));
      },
    );
  };
