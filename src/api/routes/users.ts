import { resolveRoles, rolesOf } from '../../core/roles.js';
import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { createUsers, deleteUser, modifyUser, type UserAdminDeps } from '../../accounts/user-admin.js';
import { addUser } from '../../accounts/users.js';
import { audit } from '../../core/audit.js';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import type { UserRecord } from '../../core/models.js';
import { sessionOf } from '../../core/revocations.js';
import { USER_SORTS } from '../../core/store.js';
import { requireScope, requireScopeFor, requireScopeOn, requireUser } from '../auth.js';
import { formatScopes } from '../../core/scopes.js';
import type { ApiContext } from '../context.js';
import { userModel } from '../models.js';
import { serviceModel, serviceScopes } from '../service-models.js';
import { flag, ModelQuery, UserName, UserParams, UsersQuery } from '../schemas.js';

const PAGINATION_TYPE = 'application/jupyterhub-pagination+json';

export const userRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const deps: UserAdminDeps = { store: ctx.store, clock: ctx.clock, identity: ctx.identity, servers: ctx.requests, revocations: ctx.revocations };
    const roles = ctx.roles ?? resolveRoles();
    const model = (u: UserRecord, req: FastifyRequest, includeStopped: boolean, groups: readonly string[] = []) =>
      userModel(u, ctx.servers.serversOf(u.name), {
        admin: req.identity?.admin ?? false,
        includeStopped,
        culling: ctx.culling,
        groups,
        roles: rolesOf(roles, { kind: 'user', name: u.name, admin: u.admin, groups }),
      });
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
        return { ...serviceModel(s, { admin: who.admin }), scopes: who.admin ? serviceScopes(true) : formatScopes(who.scopes), session_id: null, token_id: null };
      }
      // JupyterHub shows the caller's expanded scopes (the token's, when a token asks).
      return { ...model(await getUser(who.user), req, flag(req.query.include_stopped_servers), await ctx.store.groups.ofUser(who.user)), scopes: formatScopes(who.scopes) };
    });

    app.get('/users', { schema: { summary: 'List users (admin); paginated with Accept: ' + PAGINATION_TYPE, querystring: UsersQuery } }, async (req) => {
      const who = requireUser(req);
      // list:users decides which users are listed: everyone, or those its filters name (groups' members included).
      const grant = who.scopes.get('list:users');
      if (!grant) throw forbidden('Missing scope: list:users');
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
        ...(grant.all ? {} : { within: { users: [...grant.users, ...[...grant.servers].map((s) => s.slice(0, s.indexOf('/')))], groups: [...grant.groups] } }),
      });
      // One query for the page's memberships, none per user.
      const groups = await ctx.store.groups.ofUsers(page.items.map((u) => u.name));
      const items = page.items.map((u) => model(u, req, flag(req.query.include_stopped_servers), groups.get(u.name)));
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
        const who = requireScope(req, 'admin:users');
        const created = await createUsers(deps, req.body.usernames, req.body.admin ?? false);
        for (const u of created) audit(ctx, { event: 'user_add', user: u.name, admin: u.admin, by: who.user });
        return reply.code(201).send(created.map((u) => model(u, req, false)));
      },
    );

    app.get('/users/:name', { schema: { summary: 'A user', params: UserParams, querystring: ModelQuery } }, async (req) => {
      requireScopeFor(req, 'read:users', { user: req.params.name });
      return model(await getUser(req.params.name), req, flag(req.query.include_stopped_servers), await ctx.store.groups.ofUser(req.params.name));
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
        const who = requireScope(req, 'admin:users');
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
        // Making an admin takes admin:users; renaming or another's password, users on them.
        if (!selfPassword) requireScopeOn(req, req.body.admin !== undefined ? 'admin:users' : 'users', { user: req.params.name });
        // The session that changed its own user's password stays; an admin's change (or a token's) ends them all.
        const keep = who.user === req.params.name ? sessionOf(who.credential) : undefined;
        const changed = await modifyUser(deps, req.params.name, req.body, keep);
        // Which fields changed, not their values (a password is never logged).
        const fields = (['name', 'admin', 'password'] as const).filter((k) => req.body[k] !== undefined);
        audit(ctx, { event: 'user_update', user: req.params.name, changed: fields, by: who.user });
        return model(changed, req, false);
      },
    );

    app.delete('/users/:name', { schema: { summary: 'Delete a user, stopping their servers (admin)', params: UserParams, response: { 204: noBody('Deleted') } } }, async (req, reply) => {
      const who = requireScopeOn(req, 'admin:users', { user: req.params.name });
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
