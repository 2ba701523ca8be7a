import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { requireAdmin } from '../auth.js';

/** The JupyterHub API version whose models and status codes nbhub follows. */
export const JUPYTERHUB_API_VERSION = '5.2.1';

export const rootRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/', { schema: { summary: 'API version (JupyterHub compatible)', response: { 200: Type.Object({ version: Type.String() }) } } }, async () => ({
      version: JUPYTERHUB_API_VERSION,
    }));
    app.get('/info', { schema: { summary: 'Hub details (admin)' } }, async (req) => {
      requireAdmin(req);
      return {
        version: JUPYTERHUB_API_VERSION,
        nbhub_version: ctx.version,
        python: null,
        sys_executable: null,
        spawner: { class: 'nbhub.LocalSpawner', version: ctx.version },
        authenticator: { class: 'nbhub.LocalAuthenticator', version: ctx.version },
        store: ctx.store.dialect,
        profiles: ctx.profiles,
      };
    });
    app.get('/profiles', { schema: { summary: 'Runtime profiles that can be started (nbhub)' } }, async () => ({ profiles: ctx.profiles }));
  };
