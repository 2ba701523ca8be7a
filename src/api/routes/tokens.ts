import { noBody } from '../response-docs.js';
import { audit } from '../../core/audit.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createToken } from '../../accounts/tokens.js';
import { badRequest, notFound } from '../../core/errors.js';
import { requireSelfOrAdmin } from '../auth.js';
import type { ApiContext } from '../context.js';
import { tokenModel } from '../models.js';
import { TokenParams, UserParams } from '../schemas.js';

export const tokenRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get('/users/:name/tokens', { schema: { summary: "A user's API tokens", params: UserParams } }, async (req) => {
      requireSelfOrAdmin(req, req.params.name);
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
                expires_in: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
                roles: Type.Optional(Type.Array(Type.String())),
                scopes: Type.Optional(Type.Array(Type.String())),
              },
              { additionalProperties: false },
            )
          ),
        },
      },
      async (req, reply) => {
        const who = requireSelfOrAdmin(req, req.params.name);
        const body = req.body;
        if ((body.roles?.length ?? 0) > 0 || (body.scopes?.length ?? 0) > 0) {
          throw badRequest('nbhub tokens carry their owner\'s permissions; "roles" and "scopes" must be empty or absent');
        }
        const note = body.note ?? (who.user === req.params.name ? 'Requested via api' : `Requested via api by user ${who.user}`);
        const { token, record } = await createToken(ctx, req.params.name, { note, expiresInSeconds: body.expires_in ?? null });
        audit(ctx, { event: 'token_create', user: req.params.name, token_id: record.id, by: who.user });
        return reply.code(201).send({ token, ...tokenModel(record) });
      },
    );

    app.get('/users/:name/tokens/:token_id', { schema: { summary: 'One API token (without its secret)', params: TokenParams } }, async (req) => {
      requireSelfOrAdmin(req, req.params.name);
      const t = await ctx.store.tokens.get(req.params.name, req.params.token_id);
      if (!t) throw notFound(`Token not found: ${req.params.token_id}`);
      return tokenModel(t);
    });

    app.delete('/users/:name/tokens/:token_id', { schema: { summary: 'Revoke an API token', params: TokenParams, response: { 204: noBody('Revoked') } } }, async (req, reply) => {
      const who = requireSelfOrAdmin(req, req.params.name);
      if (!(await ctx.store.tokens.delete(req.params.name, req.params.token_id))) throw notFound(`Token not found: ${req.params.token_id}`);
      audit(ctx, { event: 'token_revoke', user: req.params.name, token_id: req.params.token_id, by: who.user });
      ctx.identity.forget(req.params.name);
      return reply.code(204).send();
    });
  };
