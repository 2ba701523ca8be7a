import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { createUsers, deleteUser, modifyUser, type UserAdminDeps } from '../../accounts/user-admin.js';
import { addUser } from '../../accounts/users.js';
import { audit } from '../../core/audit.js';
import { badRequest, notFound } from '../../core/errors.js';
import type { UserRecord } from '../../core/models.js';
import { USER_SORTS } from '../../core/store.js';
import { requireAdmin, requireSelfOrAdmin, requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { userModel } from '../models.js';
import { serviceModel, serviceScopes } from '../service-models.js';
import { flag, ModelQuery, UserName, UserParams, UsersQuery } from '../schemas.js';

const PAGINATION_TYPE = 'application/jupyterhub-pagination+json';

export const userRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const deps: UserAdminDeps = { store: ctx.store, clock: ctx.clock, identity: ctx.identity, servers: ctx.requests };
    const model = (u: UserRecord, req: FastifyRequest, includeStopped: boolean) =>
      userModel(u, ctx.servers.serversOf(u.name), { admin: req.identity?.admin ?? false, includeStopped, culling: ctx.culling });
    const getUser = async (name: string) => {
      const u = await ctx.store.users.get(name);
      if (!u) throw notFound(`No such user: ${name}`);
      return u;
    };

    app.get('/user', { schema: { summary: "The authenticated user, or the service whose token it is (JupyterHub's service model, kind: service)", querystring: ModelQuery } }, async (req) => {
      const who = requireUser(req);
      if (who.service !== undefined) {
        const s = ctx.services.get(who.service);
        if (!s) throw notFound(`No such service: ${who.service}`);
        return { ...serviceModel(s, { admin: who.admin }), scopes: serviceScopes(who.admin), session_id: null, token_id: null };
      }
      return { ...model(await getUser(who.user), req, flag(req.query.include_stopped_servers)), scopes: who.admin ? ['admin-ui', 'admin:users', 'admin:servers', 'self'] : ['self'] };
    });

    app.get('/users', { schema: { summary: 'List users (admin); paginated with Accept: ' + PAGINATION_TYPE, querystring: UsersQuery } }, async (req) => {
      requireAdmin(req);
      const offset = Number(req.query.offset ?? 0);
      const limit = Math.min(Number(req.query.limit ?? ctx.config.api.page_default_limit), ctx.config.api.page_max_limit);
      if (limit < 1) throw badRequest('limit must be at least 1');
      const q = req.query;
      const sort = q.sort === undefined ? undefined : USER_SORTS.find((s) => s === q.sort);
      if (q.sort !== undefined && sort === undefined) throw badRequest(`sort must be one of ${USER_SORTS.join(', ')}`);
      const page = await ctx.store.users.list({
        offset,
        limit,
        ...(q.state ? { state: q.state } : {}),
        ...(q.name_filter ? { nameFilter: q.name_filter } : {}),
        ...(q.search ? { search: q.search } : {}),
        ...(q.idle_for !== undefined ? { idleBefore: ctx.clock.now() - Number(q.idle_for) * 1000 } : {}),
        ...(sort ? { sort } : {}),
      });
      const items = page.items.map((u) => model(u, req, flag(req.query.include_stopped_servers)));
      if (!(req.headers.accept ?? '').includes(PAGINATION_TYPE)) return items;
      const nextOffset = offset + limit;
      const next = nextOffset < page.total ? { offset: nextOffset, limit, url: nextUrl(req, nextOffset, limit) } : null;
      return { items, _pagination: { offset, limit, total: page.total, next } };
    });

    app.post(
      '/users',
      {
        schema: {
          summary: 'Create users (admin)',
          body: Type.Object({ usernames: Type.Array(UserName, { maxItems: 1000 }), admin: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const who = requireAdmin(req);
        const created = await createUsers(deps, req.body.usernames, req.body.admin ?? false);
        for (const u of created) audit(ctx, { event: 'user_add', user: u.name, admin: u.admin, by: who.user });
        return reply.code(201).send(created.map((u) => model(u, req, false)));
      },
    );

    app.get('/users/:name', { schema: { summary: 'A user', params: UserParams, querystring: ModelQuery } }, async (req) => {
      requireSelfOrAdmin(req, req.params.name);
      return model(await getUser(req.params.name), req, flag(req.query.include_stopped_servers));
    });

    app.post(
      '/users/:name',
      {
        config: { optionalBody: true },
        schema: {
          summary: 'Create one user (admin); `password` is an nbhub extension for local login',
          params: UserParams,
          body: Type.Object({ admin: Type.Optional(Type.Boolean()), password: Type.Optional(Type.String({ maxLength: 1024 })) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const who = requireAdmin(req);
        const u = await addUser(deps, req.params.name, { admin: req.body.admin, password: req.body.password });
        audit(ctx, { event: 'user_add', user: u.name, admin: u.admin, by: who.user });
        return reply.code(201).send(model(u, req, false));
      },
    );

    app.patch(
      '/users/:name',
      {
        schema: {
          summary: 'Modify a user (admin): name, admin, password',
          params: UserParams,
          body: Type.Object(
            { name: Type.Optional(UserName), admin: Type.Optional(Type.Boolean()), password: Type.Optional(Type.String({ maxLength: 1024 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req) => {
        const who = requireUser(req);
        // A user may change their own password; everything else is for admins.
        const selfPassword = who.user === req.params.name && req.body.admin === undefined && req.body.name === undefined;
        if (!selfPassword) requireAdmin(req);
        const changed = await modifyUser(deps, req.params.name, req.body);
        // Which fields changed, not their values (a password is never logged).
        const fields = (['name', 'admin', 'password'] as const).filter((k) => req.body[k] !== undefined);
        audit(ctx, { event: 'user_update', user: req.params.name, changed: fields, by: who.user });
        return model(changed, req, false);
      },
    );

    app.delete('/users/:name', { schema: { summary: 'Delete a user, stopping their servers (admin)', params: UserParams, response: { 204: noBody('Deleted') } } }, async (req, reply) => {
      const who = requireAdmin(req);
      await deleteUser(deps, req.params.name, who.user);
      await ctx.logs.removeUser(req.params.name);
      audit(ctx, { event: 'user_delete', user: req.params.name, by: who.user });
      return reply.code(204).send();
    });
  };

const nextUrl = (req: FastifyRequest, offset: number, limit: number): string => {
  const url = new URL(req.url, 'http://x');
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('limit', String(limit));
  return url.pathname + url.search;
};
