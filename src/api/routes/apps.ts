import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { APP_NAME_PATTERN } from '../../config/app-schema.js';
import type { AppStatus } from '../../core/apps.js';
import { audit } from '../../core/audit.js';
import { conflict, notFound } from '../../core/errors.js';
import { describeServer } from '../../core/names.js';
import { requireScopeFor } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ErrorReply, ServerName, UserName } from '../schemas.js';

const AppName = Type.String({ pattern: APP_NAME_PATTERN, description: 'Named app of the server\'s profile (profiles.<profile>.apps)' });
const AppStatusSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  icon: Type.String({ description: 'URL of an icon, or empty' }),
  state: Type.Union([Type.Literal('stopped'), Type.Literal('starting'), Type.Literal('running'), Type.Literal('failed')]),
  url: Type.String({ description: 'Where the app is reached through the hub: /user/{name}/{server}/apps/{app}/' }),
  message: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed (with the end of its output), or what it waits for' }),
  restarts: Type.Integer({ description: 'Times it was started again after dying by itself, since the server started' }),
});
const notRunning = (user: string, server: string) => conflict(`${describeServer(user, server)} is not running`);
const errors = {
  404: { ...ErrorReply, description: 'No such user, or no such app in the server\'s profile (the message names it)' },
  409: { ...ErrorReply, description: 'The server is not running' },
};

/**
 * Named apps of a running server (issue 18), nbhub extension beside JupyterHub's server paths: listed,
 * started (what a first visit of the app's URL does), stopped. Owner or admin only.
 */
export const appRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** Checks the caller may act on `user`'s apps; says who the caller is (for the audit). */
    const owner = async (req: FastifyRequest, user: string): Promise<string> => {
      const who = requireScopeFor(req, req.method === 'GET' ? 'read:servers' : 'servers', { user }, ['read:servers', 'read:users']);
      if (!(await ctx.store.users.get(user))) throw notFound(`No such user: ${user}`);
      return who.user;
    };
    const statusOf = async (user: string, server: string, name: string): Promise<AppStatus | undefined> =>
      (await ctx.apps.list(user, server))?.find((a) => a.name === name);

    for (const [prefix, props] of [
      ['/users/:name/server', { name: UserName }],
      ['/users/:name/servers/:server', { name: UserName, server: ServerName }],
    ] as const) {
      const at = (req: FastifyRequest) => {
        const p = req.params as { name: string; server?: string; app?: string };
        return { user: p.name, server: p.server ?? '', app: p.app ?? '' };
      };
      app.get(
        `${prefix}/apps`,
        { schema: { summary: "Named apps of a running server (its profile's), with their state", params: Type.Object(props), response: { 200: Type.Array(AppStatusSchema), ...errors } } },
        async (req) => {
          const { user, server } = at(req);
          await owner(req, user);
          const apps = await ctx.apps.list(user, server);
          if (!apps) throw notRunning(user, server);
          return apps;
        },
      );
      app.post(
        `${prefix}/apps/:app`,
        {
          config: { optionalBody: true },
          schema: {
            summary: 'Start a named app (as a first visit of its URL does)',
            description:
              '200: it was running already; 201: it started and answers its readiness path; 202: still starting after api.slow_spawn_timeout_seconds (poll the list); 503: it failed to start (the message says why, with the end of its output).',
            params: Type.Object({ ...props, app: AppName }),
            response: { 200: AppStatusSchema, 201: AppStatusSchema, 202: AppStatusSchema, 503: ErrorReply, ...errors },
          },
        },
        async (req, reply) => {
          const { user, server, app: name } = at(req);
          const by = await owner(req, user);
          const before = await statusOf(user, server, name);
          const started = ctx.apps.ensure(user, server, name, { intent: 'visit' });
          if (before?.state !== 'running') audit(ctx, { event: 'app_start', user, server, app: name, by });
          // Like a server's start: wait a little for readiness, else answer that it is still starting.
          const waited = await Promise.race([
            started.then(() => true),
            new Promise<false>((resolve) => setTimeout(() => resolve(false), ctx.config.api.slow_spawn_timeout_seconds * 1000).unref()),
          ]);
          const after = await statusOf(user, server, name);
          if (!after) throw notRunning(user, server);
          return reply.code(before?.state === 'running' ? 200 : waited ? 201 : 202).send(after);
        },
      );
      app.delete(
        `${prefix}/apps/:app`,
        { config: { optionalBody: true }, schema: { summary: 'Stop a named app: it stays stopped until its page is opened again or it is started (requests from its pages left open get 503)', params: Type.Object({ ...props, app: AppName }), response: { 204: noBody('Stopped') } } },
        async (req, reply) => {
          const { user, server, app: name } = at(req);
          const by = await owner(req, user);
          await ctx.apps.stop(user, server, name);
          audit(ctx, { event: 'app_stop', user, server, app: name, by });
          return reply.code(204).send();
        },
      );
    }
  };
