import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit } from '../../core/audit.js';
import { isoOrNull } from '../../core/clock.js';
import { notFound } from '../../core/errors.js';
import type { AgentRecord } from '../../core/store.js';
import { agentLag, agentState } from '../../monitor/agent-state.js';
import { requireAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ServerName, UserName } from '../schemas.js';

const AgentId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$', description: 'Agent id' });
const MAX_SEED_RUNTIMES = 10_000;

/** Separate agents register, are listed with their state and lag, and ask where stored counters stand. */
export const agentRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const model = (a: AgentRecord) => {
      const pulled = ctx.usage?.pulling(a.id);
      return {
        id: a.id,
        url: a.url,
        embedded: a.url === null,
        state: agentState(a, ctx.clock.now(), ctx.usage?.gone(a.url) ?? false),
        owner: a.leaseOwner,
        lease_expires: isoOrNull(a.leaseExpires),
        last_offset: a.storedOffset,
        last_event_time: isoOrNull(a.storedTime),
        head_offset: a.headOffset,
        lag: agentLag(a),
        last_contact: isoOrNull(a.lastContact),
        last_error: a.lastError,
        events_lost: a.eventsLost,
        registered: isoOrNull(a.registeredAt),
        // Known only to the instance that pulls the agent.
        runtimes: pulled?.runtimes ?? null,
        stats: pulled?.stats
          ? { sweeps: pulled.stats.sweeps, errors: pulled.stats.errors, last_sweep: isoOrNull(pulled.stats.lastSweep), interval_seconds: pulled.stats.intervalSeconds }
          : null,
      };
    };

    app.get('/agents', { schema: { summary: 'Monitoring agents: state, last offset stored, lag, last contact, events lost (admin)' } }, async (req) => {
      requireAdmin(req);
      return { agents: (await ctx.store.agents.list()).map(model) };
    });

    app.post(
      '/agents',
      {
        schema: {
          summary: 'Register a separate agent (`nbhub agent`, with an admin token); the hub pulls its events at `url` with `secret`',
          body: Type.Object(
            { id: AgentId, url: Type.String({ pattern: '^https?://[^/]+', maxLength: 2000 }), secret: Type.String({ minLength: 16, maxLength: 512 }) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const who = requireAdmin(req);
        const rec = await ctx.store.agents.register({ id: req.body.id, url: req.body.url, secret: req.body.secret, at: ctx.clock.now() });
        audit(ctx, { event: 'agent_register', user: rec.id, url: req.body.url, by: who.user });
        return { id: rec.id, hub_id: ctx.hubId, interval_seconds: ctx.config.monitoring.interval_seconds, last_offset: rec.storedOffset };
      },
    );

    app.delete('/agents/:id', { schema: { summary: 'Forget an agent (its stored events stay)', params: Type.Object({ id: AgentId }), response: { 204: noBody('Forgotten') } } }, async (req, reply) => {
      const who = requireAdmin(req);
      if (!(await ctx.store.agents.delete(req.params.id))) throw notFound(`No such agent: ${req.params.id}`);
      audit(ctx, { event: 'agent_delete', user: req.params.id, by: who.user });
      return reply.code(204).send();
    });

    app.post(
      '/agents/:id/seeds',
      {
        schema: {
          summary: 'The last stored CPU counter of some series (runtime and kernels), for an agent that meets them without history of its own (admin)',
          params: Type.Object({ id: AgentId }),
          body: Type.Object(
            {
              runtimes: Type.Array(
                Type.Object(
                  { user: UserName, server: Type.Union([Type.Literal(''), ServerName]), kernels: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 }) },
                  { additionalProperties: false },
                ),
                { maxItems: MAX_SEED_RUNTIMES },
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        requireAdmin(req);
        const seeds = await Promise.all(
          req.body.runtimes.map(async (r) =>
            [...(await ctx.store.usage.lastCounters(r.user, r.server, r.kernels))].map(([kernel, c]) => ({ user: r.user, server: r.server, kernel, t: c.t, cpu: c.cpu })),
          ),
        );
        return { seeds: seeds.flat() };
      },
    );
  };
