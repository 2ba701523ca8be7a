import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { authenticate } from './auth.js';
import { lenientBodies } from './bodies.js';
import { SECURITY_HEADERS } from '../core/security-headers.js';
import type { ApiContext } from './context.js';
import { clientErrorReply, sendError, toErrorBody } from './errors.js';
import { proxyPaths } from './openapi.js';
import { consoleRoutes } from './routes/console.js';
import { loginRoutes } from './routes/login.js';
import { oauthRoutes } from './routes/oauth.js';
import { rootRoutes } from './routes/root.js';
import { serverRoutes } from './routes/servers.js';
import { progressRoutes } from './routes/progress.js';
import { tokenRoutes } from './routes/tokens.js';
import { groupRoutes } from './routes/groups.js';
import { userRoutes } from './routes/users.js';
import { usageRoutes } from './routes/usage.js';
import { insideRoutes } from './routes/inside.js';
import { liveRoutes } from './routes/live.js';
import { metricsRoutes } from './routes/metrics.js';
import { historyRoutes } from './routes/history.js';
import { activityRoutes } from './routes/activity.js';
import { executionRoutes } from './routes/executions.js';
import { agentRoutes } from './routes/agents.js';
import { eventRoutes } from './routes/events.js';
import { serviceRoutes } from './routes/services.js';
import { logRoutes } from './routes/logs.js';
import { appRoutes } from './routes/apps.js';
import { sparkJobRoutes } from './routes/spark-jobs.js';
import { clusterRoutes } from './routes/clusters.js';
import { clusterUsageRoutes } from './routes/cluster-usage.js';
import { auditRoutes } from './routes/audit.js';
import { documentResponses, noBody } from './response-docs.js';
import { documentSuccess } from './success-docs.js';

/** The hub's HTTP app (API, login, console), apart from listen() so tests can inject requests. */
export const buildApp = async (ctx: ApiContext, serverFactory?: FastifyServerFactory): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: false,
    // The router's own refusals (a path parameter too long: 414) in the API's error body, as every other error.
    frameworkErrors: (err, req, reply) => void sendError(reply, toErrorBody(err, ctx.log, req)),
    clientErrorHandler: clientErrorReply,
    bodyLimit: ctx.config.api.max_body_bytes,
    trustProxy: false,
    ...(serverFactory ? { serverFactory } : {}),
    // Bodies are checked as sent: no silent removal of unknown fields, no type coercion.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('identity', null);
  // On the raw response: kept on errors, 404s and the streams that write their own head.
  app.addHook('onRequest', async (_req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(k, v);
  });
  lenientBodies(app);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Before any route: every route's errors (and a success, where it names none) are in the OpenAPI document.
  app.addHook('onRoute', documentResponses);
  app.setErrorHandler((err, req, reply) => sendError(reply, toErrorBody(err, ctx.log, req)));
  app.setNotFoundHandler((req, reply) => sendError(reply, { status: 404, message: `Not found: ${req.method} ${req.url.split('?')[0]}` }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'nbhub', version: ctx.version, description: "JupyterHub's REST API, with nbhub's extensions, and the proxy" },
      components: { securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'token <api token>' } } },
      security: [{ token: [] }],
    },
    // Success bodies go into the document only (success-docs.ts), not into the schemas fastify serializes with.
    transform: documentSuccess,
  });

  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(ctx));
      await api.register(rootRoutes(ctx));
      await api.register(userRoutes(ctx));
      await api.register(serverRoutes(ctx));
      await api.register(progressRoutes(ctx));
      await api.register(tokenRoutes(ctx));
      await api.register(groupRoutes(ctx));
      await api.register(usageRoutes(ctx));
      await api.register(insideRoutes(ctx));
      await api.register(liveRoutes(ctx));
      await api.register(historyRoutes(ctx));
      await api.register(activityRoutes(ctx));
      await api.register(executionRoutes(ctx));
      await api.register(agentRoutes(ctx));
      await api.register(eventRoutes(ctx));
      await api.register(serviceRoutes(ctx));
      await api.register(logRoutes(ctx));
      await api.register(clusterRoutes(ctx));
      await api.register(clusterUsageRoutes(ctx));
      await api.register(appRoutes(ctx));
      await api.register(sparkJobRoutes(ctx));
      await api.register(auditRoutes(ctx));
      api.get('/openapi.json', { schema: { summary: 'This document' } }, async () => {
        const doc = app.swagger() as { paths?: Record<string, unknown> };
        return { ...doc, paths: { ...doc.paths, ...proxyPaths } };
      });
    },
    { prefix: '/hub/api' },
  );
  await app.register(
    async (hub) => {
      hub.addHook('onRequest', authenticate(ctx));
      await hub.register(metricsRoutes(ctx));
    },
    { prefix: '/hub' },
  );
  await app.register(loginRoutes(ctx), { prefix: '/hub' });
  await app.register(oauthRoutes(ctx), { prefix: '/hub' });
  await app.register(consoleRoutes(ctx), { prefix: '/hub' });
  app.get('/', { schema: { summary: 'Redirects to the console', response: { 302: noBody('To /hub/') } } }, async (_req, reply) => reply.redirect('/hub/', 302));
  return app;
};
