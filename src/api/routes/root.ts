import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { mayUseProfile } from '../../core/profile-access.js';
import { requireScope } from '../auth.js';

/** The JupyterHub API version whose models and status codes nbhub follows. */
export const JUPYTERHUB_API_VERSION = '5.2.1';

export const rootRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/', { schema: { summary: 'API version (JupyterHub compatible)', response: { 200: Type.Object({ version: Type.String() }) } } }, async () => ({
      version: JUPYTERHUB_API_VERSION,
    }));
    app.get('/info', { schema: { summary: 'Hub details (admin)' } }, async (req) => {
      requireScope(req, 'read:hub');
      return {
        version: JUPYTERHUB_API_VERSION,
        nbhub_version: ctx.version,
        python: null,
        sys_executable: null,
        spawner: { class: 'nbhub.LocalSpawner', version: ctx.version },
        authenticator: { class: 'nbhub.LocalAuthenticator', version: ctx.version },
        store: ctx.store.kind,
        profiles: ctx.profiles,
      };
    });
    // `default` marks the profile a start naming none gets (spawner.default_profile), as KubeSpawner's profile_list does.
    const profiles = ctx.profiles.map((p) => ({ ...p, default: p.name === ctx.config.spawner.default_profile }));
    app.get(
      '/profiles',
      {
        schema: {
          summary: 'Runtime profiles that can be started (nbhub)',
          response: {
            200: Type.Object({
              profiles: Type.Array(
                Type.Object({
                  name: Type.String(),
                  display_name: Type.String({ description: 'What the profile runs, e.g. "JupyterLab 4.6.6"' }),
                  default: Type.Boolean({ description: 'Started when a request names no profile' }),
                  error: Type.Optional(Type.String({ description: 'Why it cannot start' })),
                }),
              ),
            }),
          },
        },
      },
      // Each caller sees the profiles they may start (issue 16); without a login, the ones open to everyone.
      async (req) => {
        const who = req.identity;
        const groups = who && who.service === undefined ? await ctx.store.groups.ofUser(who.user) : [];
        const user = { admin: who?.admin ?? false, groups };
        return { profiles: profiles.filter((p) => mayUseProfile(ctx.config.profiles[p.name]?.groups, user)) };
      },
    );
  };
