import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, notFound } from '../../core/errors.js';
import { requireSelfOrAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { UserParams } from '../schemas.js';

const Timestamp = Type.String({ maxLength: 64, description: 'ISO 8601 time' });
const ActivityBody = Type.Object(
  {
    last_activity: Type.Optional(Timestamp),
    servers: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Object({ last_activity: Timestamp }, { additionalProperties: true }))),
  },
  { additionalProperties: true },
);

const HOUR_MS = 3_600_000;

/**
 * JupyterHub's activity report (`POST /users/{name}/activity`): a client says a user or their servers were
 * active. nbhub counts it like activity seen by the proxy (the console's "keep it running" sends it).
 */
export const activityRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post('/users/:name/activity', { schema: { summary: "Report a user's or their servers' activity (JupyterHub's API)", params: UserParams, body: ActivityBody } }, async (req, reply) => {
      requireSelfOrAdmin(req, req.params.name);
      const user = await ctx.store.users.get(req.params.name);
      if (!user) throw notFound(`No such user: ${req.params.name}`);
      const now = ctx.clock.now();
      const parse = (field: string, value: string): number => {
        const t = Date.parse(value);
        if (!Number.isFinite(t)) throw badRequest(`${field}: not a valid timestamp: ${JSON.stringify(value)}`);
        if (t - now > HOUR_MS) throw badRequest(`${field}: rejecting activity from more than an hour in the future: ${value}`);
        // Never ahead of the hub's clock: a client's fast clock must not postpone culling.
        return Math.min(t, now);
      };
      const { last_activity: userActivity, servers = {} } = req.body;
      if (userActivity === undefined && Object.keys(servers).length === 0) throw badRequest('body must contain at least one of `last_activity` or `servers`');
      const touches = Object.entries(servers).map(([name, s]) => {
        if (!ctx.lifecycle.get(user.name, name)) throw badRequest(`No such server '${name}' for user ${user.name}`);
        return { name, at: parse(`servers.${name}.last_activity`, s.last_activity) };
      });
      const userAt = userActivity === undefined ? undefined : parse('last_activity', userActivity);
      for (const t of touches) ctx.lifecycle.touch(user.name, t.name, t.at);
      if (userAt !== undefined && userAt > (user.lastActivity ?? 0)) await ctx.store.users.update(user.name, { lastActivity: userAt });
      return reply.code(200).send();
    });
  };
