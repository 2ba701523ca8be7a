import { noBody } from '../response-docs.js';
import { audit } from '../../core/audit.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createToken, MAX_TOKEN_LIFETIME_SECONDS } from '../../accounts/tokens.js';
import { badRequest, forbidden, notFound } from '../../core/errors.js';
import { requireScopeFor } from '../auth.js';
import { resolveRoles, scopesOfRoles } from '../../core/roles.js';
import { expandScopes, formatScopes, intersectScopes, unknownScopes } from '../../core/scopes.js';
import type { ApiContext } from '../context.js';
import { tokenModel } from '../models.js';
import { TokenParams, UserParams } from '../schemas.js';

export const tokenRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/users/:name/tokens', { schema: { summary: "A user's API tokens", params: UserParams } }, async (req) => {
      requireScopeFor(req, 'read:tokens', { user: req.params.name });
      if (!(await ctx.store.users.get(req.params.name))) throw notFound(`No such user: ${req.params.name}`);
      const tokens = await ctx.store.tokens.listByUser(req.params.name);
      return { api_tokens: tokens.map(tokenModel), oauth_tokens: [] };
    });

    app.post(
      '/users/:name/tokens',
      {
        config: { optionalBody: true },
        schema: {
          summary: 'Create an API token (shown once)',
          params: UserParams,
          body: (
            Type.Object(
              {
                note: Type.Optional(Type.String({ maxLength: 1000 })),
                expires_in: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: MAX_TOKEN_LIFETIME_SECONDS }), Type.Null()])),
                roles: Type.Optional(Type.Array(Type.String())),
                scopes: Type.Optional(Type.Array(Type.String())),
              },
              { additionalProperties: false },
            )
          ),
        },
      },
      async (req, reply) => {
        const who = requireScopeFor(req, 'tokens', { user: req.params.name }, ['read:tokens', 'read:users']);
        const body = req.body;
        const roles = ctx.roles ?? resolveRoles();
        const fromRoles = scopesOfRoles(roles, body.roles ?? []);
        if (fromRoles.unknown.length) throw badRequest(`Unknown roles: ${fromRoles.unknown.join(', ')}`);
        const unknown = unknownScopes(body.scopes ?? []);
        if (unknown.length) throw badRequest(`Unknown scopes: ${unknown.join(', ')}`);
        // Neither: the token inherits its owner's rights (JupyterHub's default 'token' role).
        const raw = body.roles === undefined && body.scopes === undefined ? null : [...fromRoles.scopes, ...(body.scopes ?? [])];
        if (raw !== null) {
          // A token holds no more than the caller holds on the owner's behalf: asking beyond is refused, naming what.
          // Each scope asked for (as written) must be held whole: its expansion survives the intersection unchanged.
          const held = (s: string) => {
            const asked = expandScopes([s], { owner: req.params.name, inherit: who.scopes });
            return formatScopes(intersectScopes(asked, who.scopes)).length === formatScopes(asked).length;
          };
          const beyond = raw.filter((s) => !held(s));
          if (beyond.length) throw forbidden(`Not allowed to grant scopes you do not hold: ${beyond.join(', ')}`);
        }
        const note = body.note ?? (who.user === req.params.name ? 'Requested via api' : `Requested via api by user ${who.user}`);
        const { token, record } = await createToken(ctx, req.params.name, { note, expiresInSeconds: body.expires_in ?? null, scopes: raw, roles: body.roles ?? null });
        audit(ctx, { event: 'token_create', user: req.params.name, token_id: record.id, by: who.user });
        return reply.code(201).send({ token, ...tokenModel(record) });
      },
    );

    app.get('/users/:name/tokens/:token_id', { schema: { summary: 'One API token (without its secret)', params: TokenParams } }, async (req) => {
      requireScopeFor(req, 'read:tokens', { user: req.params.name });
      const t = await ctx.store.tokens.get(req.params.name, req.params.token_id);
      if (!t) throw notFound(`Token not found: ${req.params.token_id}`);
      return tokenModel(t);
    });

    app.delete('/users/:name/tokens/:token_id', { schema: { summary: 'Revoke an API token', params: TokenParams, response: { 204: noBody('Revoked') } } }, async (req, reply) => {
      const who = requireScopeFor(req, 'tokens', { user: req.params.name }, ['read:tokens', 'read:users']);
      if (!(await ctx.store.tokens.delete(req.params.name, req.params.token_id))) throw notFound(`Token not found: ${req.params.token_id}`);
      audit(ctx, { event: 'token_revoke', user: req.params.name, token_id: req.params.token_id, by: who.user });
      ctx.identity.forget(req.params.name);
      ctx.revocations?.revokeToken(req.params.token_id);
      return reply.code(204).send();
    });
  };
