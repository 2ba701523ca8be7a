import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { isoOrNull } from '../../core/clock.js';
import { badRequest, notFound } from '../../core/errors.js';
import { requireScopeFor } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ServerName, UserName } from '../schemas.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const HistoryQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: `Events to return, newest first (1-${MAX_LIMIT}, default ${DEFAULT_LIMIT})` })), token: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** Each start and stop of a server, with why and who or what caused it (nbhub extension). */
export const historyRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const history = async (req: FastifyRequest, user: string, server: string, limitText: string | undefined) => {
      requireScopeFor(req, 'read:servers', { user, server });
      const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
      if (limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit: must be between 1 and ${MAX_LIMIT}`);
      if (!(await ctx.store.users.get(user))) throw notFound(`No such user: ${user}`);
      const events = await ctx.store.history.list(user, server, limit);
      // The default server always exists (possibly never started); a named one exists once created.
      if (server !== '' && events.length === 0 && !ctx.servers.get(user, server)) throw notFound(`${user} has no server named '${server}'`);
      return {
        events: events.map((e) => ({ time: isoOrNull(e.t), action: e.action, reason: e.reason, by: e.by, message: e.message, profile: e.profile })),
      };
    };

    app.get(
      '/users/:name/server/history',
      { schema: { summary: 'Starts and stops of the default server, newest first, with reason and cause', params: Type.Object({ name: UserName }), querystring: HistoryQuery } },
      async (req) => history(req, req.params.name, '', req.query.limit),
    );
    app.get(
      '/users/:name/servers/:server/history',
      { schema: { summary: 'Starts and stops of a named server, newest first, with reason and cause', params: Type.Object({ name: UserName, server: ServerName }), querystring: HistoryQuery } },
      async (req) => history(req, req.params.name, req.params.server, req.query.limit),
    );
  };
