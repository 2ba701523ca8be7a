import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AUDIT_EVENTS } from '../../core/audit.js';
import { requireScope } from '../auth.js';
import { parseAuditQuery } from '../audit-query.js';
import type { ApiContext } from '../context.js';

const AuditQuerySchema = Type.Object(
  {
    user: Type.Optional(Type.String({ description: "The event's subject: the user acted on (a group's or cluster's events: see the event)" })),
    by: Type.Optional(Type.String({ description: 'Who asked: a user, or culler / hub / an authenticator for the hub itself' })),
    event: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], { description: `Only these events (repeatable): ${AUDIT_EVENTS.join(', ')}` }),
    ),
    since: Type.Optional(Type.String({ description: 'ISO 8601 time: events at or after it' })),
    until: Type.Optional(Type.String({ description: 'ISO 8601 time: events at or before it' })),
    offset: Type.Optional(Type.String({ description: 'Events to skip (newest first)' })),
    limit: Type.Optional(Type.String({ description: 'Events in the page (at most api.page_max_limit)' })),
  },
  { additionalProperties: false },
);

export const AuditEventModel = Type.Object(
  {
    id: Type.Integer(),
    time: Type.String({ format: 'date-time' }),
    event: Type.String(),
    user: Type.String(),
    by: Type.Union([Type.String(), Type.Null()]),
    data: Type.Record(Type.String(), Type.Unknown(), { description: "The event's other fields" }),
  },
  { additionalProperties: false },
);

/** The stored audit trail (issue 16), newest first. */
export const auditRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/audit',
      { schema: { summary: 'Audit events, newest first (admin): logins, logouts and every change an admin or user made', querystring: AuditQuerySchema } },
      async (req) => {
        requireScope(req, 'read:audit');
        const q = parseAuditQuery(req.query, { defaultLimit: ctx.config.api.page_default_limit, maxLimit: ctx.config.api.page_max_limit });
        // This instance's own events are readable at once (others' once their instance wrote them, within a moment).
        await ctx.auditTrail?.flush();
        const page = await ctx.store.audit.query(q);
        const next = q.offset + q.limit < page.total ? { offset: q.offset + q.limit, limit: q.limit } : null;
        return {
          items: page.items.map((r) => ({ ...r, time: new Date(r.time).toISOString() })),
          _pagination: { offset: q.offset, limit: q.limit, total: page.total, next },
        };
      },
    );
  };
