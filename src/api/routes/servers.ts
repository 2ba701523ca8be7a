import { builtinIdentity } from '../../core/roles.js';
import { jsonBody, noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import type { Identity } from '../../core/identity.js';
import type { ServerRecord } from '../../core/models.js';
import { requireScopeFor } from '../auth.js';
import { mayUseProfile } from '../../core/profile-access.js';
import type { ApiContext } from '../context.js';
import { serverModel } from '../models.js';
import { ServerParams, UserParams } from '../schemas.js';
import { checkAttach, clusterOption } from '../../notebook-spark/attach.js';

// user_options are free-form (JupyterHub passes them to the spawner); `profile` picks an nbhub profile,
// `spark_cluster` attaches the runtime to a Spark cluster (its master and settings in the runtime's environment).
const UserOptions = Type.Optional(
  Type.Object(
    {
      profile: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' })),
      spark_cluster: Type.Optional(Type.String({ minLength: 1, description: "A Spark cluster the server's owner may use, running (400 unknown, 403 not theirs, 409 not running)" })),
    },
    { additionalProperties: true },
  ),
);
const StopBody = Type.Object({ remove: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

const STARTED = {
  201: jsonBody('Running: the server model'),
  202: jsonBody('Still starting after api.slow_spawn_timeout_seconds: the server model (follow …/progress)'),
};
const STOPPED = { 202: noBody('Still stopping after api.slow_stop_timeout_seconds'), 204: noBody('Stopped (or was not running)') };

export const serverRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const owner = async (req: FastifyRequest, name: string, server: string, scope: string): Promise<Identity> => (await ownerOf(req, name, server, scope)).who;
    const ownerOf = async (req: FastifyRequest, name: string, server: string, scope: string) => {
      const who = requireScopeFor(req, scope, { user: name, server }, ['read:servers', 'read:users']);
      const user = await ctx.store.users.get(name);
      if (!user) throw notFound(`No such user: ${name}`);
      return { who, user };
    };
    /** A runtime attached to a cluster starts only where its owner may use that cluster, and it runs. */
    const checkCluster = (userOptions: Record<string, unknown>, user: { name: string; admin: boolean }, via: Identity['via']) => {
      const name = clusterOption(userOptions);
      if (name === undefined) return;
      const runtimeOwner: Identity = builtinIdentity(user.name, user.admin, via);
      checkAttach(name, ctx.clusters.get(name), (c) => ctx.clusters.mayUse(runtimeOwner, c), user.name);
    };
    const reason = (who: Identity, user: string): 'user' | 'admin' => (who.user === user ? 'user' : 'admin');

    const start = async (req: FastifyRequest, reply: FastifyReply, user: string, server: string, options: Record<string, unknown> | undefined) => {
      const { who, user: account } = await ownerOf(req, user, server, 'servers');
      const userOptions = options ?? {};
      const profile = typeof userOptions['profile'] === 'string' ? userOptions['profile'] : ctx.config.spawner.default_profile;
      const allowed = ctx.config.profiles[profile]?.groups;
      if (allowed?.length && !mayUseProfile(allowed, { admin: account.admin || who.admin, groups: await ctx.store.groups.ofUser(user) })) {
        throw forbidden(`Profile ${profile} is for members of ${allowed.join(', ')}; ${user} is in none of them`);
      }
      checkCluster(userOptions, account, who.via);
      const rec = await ctx.requests.requestStart(user, server, {
        profile: typeof userOptions['profile'] === 'string' ? userOptions['profile'] : undefined,
        userOptions,
        by: who.user,
      });
      // Like JupyterHub: wait a little for the start to finish (201); otherwise it is still pending (202).
      // `Prefer: respond-async` (RFC 7240) answers at once: the console then follows the progress stream.
      const wait = preferAsync(req) ? 0 : ctx.config.api.slow_spawn_timeout_seconds * 1000;
      const now = wait === 0 ? rec : await ctx.servers.waitFor(user, server, (r) => r?.state !== 'pending', wait);
      const settled = now ?? rec;
      if (settled.state === 'failed') {
        return reply.code(500).send({ status: 500, message: `Spawn failed: ${settled.message ?? 'unknown error'}` });
      }
      return reply.code(settled.state === 'running' ? 201 : 202).send(serverModel(settled, { admin: who.admin, culling: ctx.culling }));
    };

    const stop = async (req: FastifyRequest, reply: FastifyReply, user: string, server: string, remove: boolean) => {
      const who = await owner(req, user, server, remove ? 'delete:servers' : 'servers');
      if (server === '' && remove) throw badRequest('Cannot delete the default server');
      const rec = await ctx.requests.requestStop(user, server, { by: who.user, reason: reason(who, user), remove });
      if (!rec) return reply.code(204).send();
      const settled = await ctx.servers.waitFor(user, server, stoppedOrGone, ctx.config.api.slow_stop_timeout_seconds * 1000);
      return reply.code(stoppedOrGone(settled) ? 204 : 202).send();
    };

    app.post('/users/:name/server', { config: { optionalBody: true }, schema: { summary: 'Start the default server (body: user_options)', params: UserParams, body: UserOptions, response: STARTED } }, (req, reply) =>
      start(req, reply, req.params.name, '', req.body),
    );
    app.delete('/users/:name/server', { config: { optionalBody: true }, schema: { summary: 'Stop the default server', params: UserParams, body: StopBody, response: STOPPED } }, (req, reply) =>
      stop(req, reply, req.params.name, '', req.body.remove ?? false),
    );
    app.post('/users/:name/servers/:server', { config: { optionalBody: true }, schema: { summary: 'Start (creating if needed) a named server', params: ServerParams, body: UserOptions, response: STARTED } }, (req, reply) =>
      start(req, reply, req.params.name, req.params.server, req.body),
    );
    app.delete(
      '/users/:name/servers/:server',
      { config: { optionalBody: true }, schema: { summary: 'Stop a named server; {"remove": true} also deletes it and its workspace', params: ServerParams, body: StopBody, response: STOPPED } },
      (req, reply) => stop(req, reply, req.params.name, req.params.server, req.body.remove ?? false),
    );
  };

const preferAsync = (req: FastifyRequest): boolean => /(^|[,\s])respond-async\b/i.test(String(req.headers.prefer ?? ''));

const stoppedOrGone = (r: ServerRecord | undefined) => !r || r.state === 'stopped' || r.state === 'failed';
