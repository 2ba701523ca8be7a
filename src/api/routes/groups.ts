import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { audit } from '../../core/audit.js';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors.js';
import type { GroupRecord } from '../../core/groups.js';
import type { Identity } from '../../core/identity.js';
import { resolveRoles } from '../../core/roles.js';
import { allows, allowsGroup } from '../../core/scopes.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { UserName } from '../schemas.js';

/** Group names: anything an LDAP or OIDC group may be called, short of what would break a path or a scope filter. */
const GroupName = Type.String({ pattern: '^[^/!?#%\\x00-\\x1f]{1,255}$', description: 'Group name' });
const GroupParams = Type.Object({ name: GroupName });
const Users = Type.Object({ users: Type.Array(UserName, { maxItems: 10_000 }) }, { additionalProperties: false });
const Properties = Type.Record(Type.String(), Type.Unknown());
const PAGINATION_TYPE = 'application/jupyterhub-pagination+json';
const Paging = Type.Object(
  { offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })), limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$' })), token: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** JupyterHub's group model. */
const groupModel = (g: GroupRecord) => ({ kind: 'group' as const, name: g.name, users: g.users, properties: g.properties, roles: [] as string[] });

/** JupyterHub's groups API (issue 16): read:groups/list:groups to see, groups to change members and properties, admin:groups to create and delete. */
export const groupRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    /** The group, for a caller who may `scope` it; one who may not even read it gets 404, one who reads but may not act 403. */
    const groupFor = async (req: FastifyRequest, name: string, scope: string): Promise<{ who: Identity; group: GroupRecord }> => {
      const who = requireUser(req);
      const seen = allowsGroup(who.scopes, 'read:groups', name) || allowsGroup(who.scopes, scope, name);
      const group = seen ? await ctx.store.groups.get(name) : undefined;
      if (!group) throw notFound(`No such group: ${name}`);
      if (!allowsGroup(who.scopes, scope, name)) throw forbidden(`Missing scope: ${scope}!group=${name}`);
      return { who, group };
    };
    const requireGlobal = (req: FastifyRequest, scope: string): Identity => {
      const who = requireUser(req);
      if (!allowsGroup(who.scopes, scope, '')) throw forbidden(`Missing scope: ${scope}`);
      return who;
    };
    /** Unknown users are refused by name, before anything changes. */
    const checkUsers = async (users: readonly string[]): Promise<void> => {
      const found = await Promise.all(users.map((u) => ctx.store.users.get(u)));
      const missing = users.filter((_, i) => !found[i]);
      if (missing.length) throw badRequest(`No such users: ${missing.join(', ')}`);
    };
    const forget = (users: readonly string[]) => {
      for (const u of users) ctx.identity.forget(u);
    };

    app.get('/roles', { schema: { summary: 'The roles in force, built-in and auth.roles (read:roles)' } }, async (req) => {
      const who = requireUser(req);
      if (!allows(who.scopes, 'read:roles')) throw forbidden('Missing scope: read:roles');
      return (ctx.roles ?? resolveRoles()).map((r) => ({ kind: 'role', name: r.name, description: r.description, scopes: [...r.scopes], users: [...r.users], groups: [...r.groups], services: [...r.services] }));
    });

    app.get('/groups', { schema: { summary: 'List groups (list:groups; filtered scopes list only their groups)', querystring: Paging } }, async (req) => {
      const who = requireUser(req);
      const grant = who.scopes.get('list:groups');
      if (!grant) throw forbidden('Missing scope: list:groups');
      const offset = Number(req.query.offset ?? 0);
      const limit = Math.min(Number(req.query.limit ?? ctx.config.api.page_default_limit), ctx.config.api.page_max_limit);
      if (limit < 1) throw badRequest('limit must be at least 1');
      let items: GroupRecord[];
      let total: number;
      if (grant.all) {
        const page = await ctx.store.groups.list({ offset, limit });
        items = page.items;
        total = page.total;
      } else {
        const named = (await Promise.all([...grant.groups].sort().map((g) => ctx.store.groups.get(g)))).filter((g): g is GroupRecord => g !== undefined);
        total = named.length;
        items = named.slice(offset, offset + limit);
      }
      const models = items.map(groupModel);
      if (!(req.headers.accept ?? '').includes(PAGINATION_TYPE)) return models;
      const next = offset + limit < total ? { offset: offset + limit, limit, url: `/hub/api/groups?offset=${offset + limit}&limit=${limit}` } : null;
      return { items: models, _pagination: { offset, limit, total, next } };
    });

    app.post(
      '/groups',
      { schema: { summary: 'Create groups (admin:groups): {"groups": [names]}', body: Type.Object({ groups: Type.Array(GroupName, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }) } },
      async (req, reply) => {
        const who = requireGlobal(req, 'admin:groups');
        const names = [...new Set(req.body.groups)];
        const taken = (await Promise.all(names.map((n) => ctx.store.groups.get(n)))).filter((g) => g !== undefined).map((g) => g.name);
        if (taken.length) throw conflict(`Groups already exist: ${taken.join(', ')}`);
        const now = ctx.clock.now();
        for (const name of names) {
          await ctx.store.groups.create({ name, properties: {}, created: now });
          audit(ctx, { event: 'group_create', user: name, group: name, by: who.user });
        }
        return reply.code(201).send(names.map((name) => groupModel({ name, properties: {}, created: now, users: [] })));
      },
    );

    app.get('/groups/:name', { schema: { summary: 'A group (read:groups)', params: GroupParams } }, async (req) => groupModel((await groupFor(req, req.params.name, 'read:groups')).group));

    app.post(
      '/groups/:name',
      {
        config: { optionalBody: true },
        schema: {
          summary: 'Create one group (admin:groups), optionally with users and properties',
          params: GroupParams,
          body: Type.Object({ users: Type.Optional(Type.Array(UserName, { maxItems: 10_000 })), properties: Type.Optional(Properties) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const who = requireGlobal(req, 'admin:groups');
        const name = req.params.name;
        const users = [...new Set(req.body?.users ?? [])];
        if (await ctx.store.groups.get(name)) throw conflict(`Group ${name} already exists`);
        await checkUsers(users);
        await ctx.store.groups.create({ name, properties: req.body?.properties ?? {}, created: ctx.clock.now() });
        audit(ctx, { event: 'group_create', user: name, group: name, by: who.user });
        if (users.length) {
          await ctx.store.groups.addUsers(name, users);
          audit(ctx, { event: 'group_users_add', user: name, group: name, users, by: who.user });
          forget(users);
        }
        const group = await ctx.store.groups.get(name);
        if (!group) throw notFound(`No such group: ${name}`);
        return reply.code(201).send(groupModel(group));
      },
    );

    app.delete('/groups/:name', { schema: { summary: 'Delete a group (admin:groups); its users stay', params: GroupParams } }, async (req, reply) => {
      const { who, group } = await groupFor(req, req.params.name, 'admin:groups');
      await ctx.store.groups.delete(group.name);
      audit(ctx, { event: 'group_delete', user: group.name, group: group.name, by: who.user });
      forget(group.users);
      return reply.code(204).send();
    });

    app.put('/groups/:name/properties', { schema: { summary: "Replace a group's properties (groups)", params: GroupParams, body: Properties } }, async (req) => {
      const { who, group } = await groupFor(req, req.params.name, 'groups');
      await ctx.store.groups.setProperties(group.name, req.body);
      audit(ctx, { event: 'group_properties', user: group.name, group: group.name, by: who.user });
      return groupModel({ ...group, properties: req.body });
    });

    app.post('/groups/:name/users', { schema: { summary: 'Add users to a group (groups); unknown users are refused by name', params: GroupParams, body: Users } }, async (req) => {
      const { who, group } = await groupFor(req, req.params.name, 'groups');
      const users = [...new Set(req.body.users)];
      await checkUsers(users);
      await ctx.store.groups.addUsers(group.name, users);
      audit(ctx, { event: 'group_users_add', user: group.name, group: group.name, users, by: who.user });
      forget(users);
      return groupModel((await ctx.store.groups.get(group.name)) ?? group);
    });

    app.delete('/groups/:name/users', { schema: { summary: 'Remove users from a group (groups)', params: GroupParams, body: Users } }, async (req) => {
      const { who, group } = await groupFor(req, req.params.name, 'groups');
      const users = [...new Set(req.body.users)];
      await checkUsers(users);
      await ctx.store.groups.removeUsers(group.name, users);
      audit(ctx, { event: 'group_users_remove', user: group.name, group: group.name, users, by: who.user });
      forget(users);
      return groupModel((await ctx.store.groups.get(group.name)) ?? group);
    });
  };
