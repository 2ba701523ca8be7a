import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SERVICE_NAME_PATTERN } from '../../config/services-schema.js';
import { notFound } from '../../core/errors.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ErrorReply } from '../schemas.js';
import { serviceModel, ServiceModel } from '../service-models.js';

/**
 * JupyterHub's `GET /services` (an object keyed by name, as its handler answers) and `GET /services/{name}`.
 * JupyterHub asks for read:services; without scopes here, any authenticated user or service may read them.
 */
export const serviceRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/services',
      { schema: { summary: 'The configured services, by name (any logged-in user; command and pid for admins)', response: { 200: Type.Record(Type.String(), ServiceModel), 403: ErrorReply } } },
      async (req) => {
        const who = requireUser(req);
        return Object.fromEntries(ctx.services.list().map((s) => [s.name, serviceModel(s, { admin: who.admin })]));
      },
    );

    app.get(
      '/services/:name',
      {
        schema: {
          summary: 'One service (any logged-in user; command and pid for admins)',
          params: Type.Object({ name: Type.String({ pattern: SERVICE_NAME_PATTERN, description: 'Service name' }) }),
          response: { 200: ServiceModel, 403: ErrorReply, 404: ErrorReply },
        },
      },
      async (req) => {
        const who = requireUser(req);
        const s = ctx.services.get(req.params.name);
        if (!s) throw notFound(`No such service: ${req.params.name}`);
        return serviceModel(s, { admin: who.admin });
      },
    );
  };
