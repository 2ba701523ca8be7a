import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest, notFound } from '../../core/errors.js';
import { requireScopeFor } from '../auth.js';
import type { ApiContext } from '../context.js';
import { UserParams } from '../schemas.js';

const Timestamp = Type.String({ maxLength: 64, description: 'ISO 8601 time' });
const ActivityBody = Type.Object(
  {
    last_activity: Type.Optional(Timestamp),
    // nbhub extension: a server entry without last_activity means now, by the hub's clock (JupyterHub refuses it).
    servers: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Object({ last_activity: Type.Optional(Timestamp) }, { additionalProperties: true }))),
  },
  { additionalProperties: true },
);

const HOUR_MS = 3_600_000;
/** An ISO 8601 date and time without an offset: JupyterHub reads it as UTC, and so does nbhub (Date.parse would take local time). */
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** Milliseconds of an ISO 8601 time; one without a time zone is UTC. NaN when unreadable. */
export const parseUtc = (value: string): number => {
  const v = value.trim();
  return Date.parse(NO_OFFSET.test(v) ? `${v.replace(' ', 'T')}Z` : v);
};

/**
 * JupyterHub's activity report (`POST /users/{name}/activity`): a client says a user or their servers were
 * active. nbhub counts it like activity seen by the proxy. A server entry may leave `last_activity` out (an
 * nbhub extension): then the hub stamps its own time, so a client's clock does not matter (the console's
 * "keep it running" sends `{"servers": {"<name>": {}}}`).
 */
export const activityRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post('/users/:name/activity', { schema: { summary: "Report a user's or their servers' activity (JupyterHub's API)", params: UserParams, body: ActivityBody, response: { 200: noBody('Recorded') } } }, async (req, reply) => {
      requireScopeFor(req, 'users:activity', { user: req.params.name });
      const user = await ctx.store.users.get(req.params.name);
      if (!user) throw notFound(`No such user: ${req.params.name}`);
      const now = ctx.clock.now();
      const parse = (field: string, value: string): number => {
        const t = parseUtc(value);
        if (!Number.isFinite(t)) throw badRequest(`${field}: not a valid timestamp: ${JSON.stringify(value)}`);
        if (t - now > HOUR_MS) throw badRequest(`${field}: rejecting activity from more than an hour in the future: ${value}`);
        // Never ahead of the hub's clock: a client's fast clock must not postpone culling.
        return Math.min(t, now);
      };
      const { last_activity: userActivity, servers = {} } = req.body;
      if (userActivity === undefined && Object.keys(servers).length === 0) throw badRequest('body must contain at least one of `last_activity` or `servers`');
      const touches = Object.entries(servers).map(([name, s]) => {
        if (!ctx.servers.get(user.name, name)) throw badRequest(`No such server '${name}' for user ${user.name}`);
        return { name, at: s.last_activity === undefined ? now : parse(`servers.${name}.last_activity`, s.last_activity) };
      });
      const userAt = userActivity === undefined ? undefined : parse('last_activity', userActivity);
      for (const t of touches) ctx.servers.touch(user.name, t.name, t.at);
      if (userAt !== undefined && userAt > (user.lastActivity ?? 0)) await ctx.store.users.update(user.name, { lastActivity: userAt });
      return reply.code(200).send();
    });
  };
