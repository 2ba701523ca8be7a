import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../../core/errors.js';
import type { StoredEvent } from '../../core/store.js';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';

const MAX_LIMIT = 10_000;
const KNOWN = new Set(['after', 'limit', 'token']);

const whole = (query: Record<string, unknown>, name: string, def: number, min: number, max: number): number => {
  const v = query[name];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(`${name}: must be one whole number from ${min} to ${max}`);
  return Number(v);
};

/** The stored form of an event, for consumers: the hub's seq, the agent and its offset, then the event's own fields. */
const eventModel = (s: StoredEvent) => {
  const { type, offset, time, ...rest } = s.event;
  return { seq: s.seq, time: new Date(time).toISOString(), type, agent: s.agent, offset, stored_at: new Date(s.storedAt).toISOString(), ...rest };
};

/** Stored monitoring events in the order stored, for external consumers (admin). */
export const eventRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/events',
      {
        schema: {
          summary:
            'Stored monitoring events in stored order: ?after=<seq>&limit=<n> (default 0 and 1000, at most 10000) → {events: [{seq, time, type, agent, offset, …}], next_after} (admin)',
          querystring: Type.Object(
            {
              after: Type.Optional(Type.String({ description: "The hub's seq to continue after (next_after of the previous page); 0 from the start" })),
              limit: Type.Optional(Type.String({ description: 'Events per page, 1 to 10000' })),
              token: Type.Optional(Type.String()),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        requireAdmin(req);
        const query = req.query as Record<string, unknown>;
        for (const key of Object.keys(query)) if (!KNOWN.has(key)) throw badRequest(`${key}: unknown parameter`);
        const after = whole(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
        const limit = whole(query, 'limit', 1000, 1, MAX_LIMIT);
        const page = await ctx.store.events.page(after, limit);
        return { events: page.map(eventModel), next_after: page.at(-1)?.seq ?? after };
      },
    );
  };
