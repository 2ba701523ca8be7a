import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { retentionDays } from '../../config/schema.js';
import { conflict, forbidden, HubError, notFound } from '../../core/errors.js';
import { allows } from '../../core/scopes.js';
import { audit } from '../../core/audit.js';
import { parseExecutionQuery, parseSummaryQuery } from '../../executions/params.js';
import { executionSummary } from '../../executions/summary.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { executionModel, kernelCostModel, notebookSummaryModel, summaryTotalsModel } from '../execution-models.js';

const ExecutionParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const SUMMARY_DEFAULT_DAYS = 30;

const nextUrl = (req: FastifyRequest, offset: number, limit: number): string => {
  const url = new URL(req.url, 'http://x');
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('limit', String(limit));
  return url.pathname + url.search;
};

/** Execution history (issue 4). Users see their own executions; admins everyone's. */
export const executionRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** Non-admins are held to their own executions: naming another user is refused, naming none means themselves. */
    const owner = (req: FastifyRequest, asked: string | undefined): string | undefined => {
      const who = requireUser(req);
      if (allows(who.scopes, 'read:executions')) return asked;
      const user = asked ?? who.user;
      if (!allows(who.scopes, 'read:executions', { user })) throw forbidden(`Missing scope: read:executions!user=${user}`);
      return user;
    };
    const getOwn = async (req: FastifyRequest, id: string) => {
      const who = requireUser(req);
      const e = await ctx.store.executions.get(id);
      // Someone else's execution is not found, as their servers are (requireScopeFor).
      if (!e || !allows(who.scopes, 'read:executions', { user: e.user, server: e.server })) throw notFound(`No such execution: ${id}`);
      return e;
    };

    app.get(
      '/executions',
      {
        schema: {
          summary:
            'Cell executions, newest first, running ones included (ended: null); cpu_seconds is the kernel\'s, spark_cpu_seconds the executor CPU of the cell\'s Spark jobs on its runtime\'s cluster (null without a cluster or a job). ?user=&server=&kernel=&notebook=&status=&since=&until=&limit=&offset= (since/until: ISO 8601 or Unix seconds; executions whose run overlaps them). Paginated as JupyterHub: {items, _pagination}',
        },
      },
      async (req) => {
        const q = parseExecutionQuery(req.query as Record<string, unknown>, { defaultLimit: ctx.config.api.page_default_limit, maxLimit: ctx.config.api.page_max_limit });
        q.user = owner(req, q.user);
        const page = await ctx.store.executions.list(q);
        const nextOffset = q.offset + q.limit;
        const next = nextOffset < page.total ? { offset: nextOffset, limit: q.limit, url: nextUrl(req, nextOffset, q.limit) } : null;
        return { items: page.items.map(executionModel), _pagination: { offset: q.offset, limit: q.limit, total: page.total, next } };
      },
    );

    app.get(
      '/executions/summary',
      {
        schema: {
          summary:
            'Per notebook: runs, errors, CPU-seconds, peak memory, last run; per kernel: its CPU-seconds in all, inside executions and outside them (idle cost = all − inside, never negative); totals: the sums of those rows. Each execution counts its CPU inside the range: whole when it ran inside, a share by time when it straddles an edge, what it used so far while it runs (its kernel read now). All comes from the kernel\'s sampled series and is never less than inside executions. ?user=&server=&notebook=&since=&until= (default: the last 30 days)',
        },
      },
      async (req) => {
        const now = ctx.clock.now();
        const q = parseSummaryQuery(req.query as Record<string, unknown>, { now, defaultDays: SUMMARY_DEFAULT_DAYS });
        q.user = owner(req, q.user);
        const m = ctx.config.monitoring;
        const sum = await executionSummary(ctx.store, ctx.executions, q, { now, intervalSeconds: m.interval_seconds, retentionDays: retentionDays(m) });
        return {
          since: new Date(q.since).toISOString(),
          until: new Date(q.until).toISOString(),
          notebooks: sum.notebooks.map(notebookSummaryModel),
          kernels: sum.kernels.map(kernelCostModel),
          totals: summaryTotalsModel(sum.totals),
        };
      },
    );

    app.get('/executions/:id', { schema: { summary: 'One cell execution', params: ExecutionParams } }, async (req) => executionModel(await getOwn(req, req.params.id)));

    app.post(
      '/executions/:id/interrupt',
      { config: { optionalBody: true }, schema: { summary: "Interrupt a running execution (its kernel, only while it is the one running there)", params: ExecutionParams, response: { 204: noBody('Interrupted') } } },
      async (req, reply) => {
        const e = await getOwn(req, req.params.id);
        const by = requireUser(req).user;
        const target = ctx.executions?.interruptTarget(e.id);
        if (target === 'queued') throw conflict('This execution waits behind another one: interrupting the kernel would stop that one');
        if (target === undefined) throw conflict(`This execution is not running (${e.status})`);
        const rt = ctx.servers.running().find((r) => r.user === target.user && r.server === target.server);
        if (!rt) throw new HubError('UNAVAILABLE', 'Its server is not running');
        // Told first: the kernel's answer to the interrupt may come back before the runtime's HTTP answer does.
        ctx.executions?.control({ ...target, action: 'interrupt', at: ctx.clock.now() });
        if ((await ctx.runtimeApi.act(rt, target.kernelId, 'interrupt')) === 'no-such-kernel') throw notFound('Its kernel is gone');
        audit(ctx, { event: 'kernel_action', user: target.user, server: target.server, kernel: target.kernelId, action: 'interrupt', by });
        return reply.code(204).send();
      },
    );
  };
