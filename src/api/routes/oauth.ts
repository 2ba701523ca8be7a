import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAUTH_COOKIE, parseCookies, serializeCookie } from '../../accounts/cookies.js';
import { admitUser } from '../../accounts/admit.js';
import { PENDING_TTL_MS } from '../../accounts/oidc/login.js';
import { audit } from '../../core/audit.js';
import type { OidcLogin } from '../../core/oidc-login.js';
import type { ApiContext } from '../context.js';
import { issueSession, secureRequest } from '../session-cookies.js';
import { safeNext } from './login.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain page for a refused login: everything it shows is escaped (it may echo the provider's words). */
const errorPage = (reply: FastifyReply, status: number, message: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><meta charset="utf-8"><title>Login failed</title><h1>Login failed</h1><p id="message">${escapeHtml(message)}</p><p><a href="/hub/login">Back to the login page</a></p>`);

/** The hub's own origin as the browser sees it, for the callback URL (config auth.oidc.redirect_url overrides). */
const origin = (ctx: ApiContext, req: FastifyRequest): string => `${secureRequest(ctx, req) ? 'https' : 'http'}://${req.headers.host ?? `127.0.0.1:${ctx.config.port}`}`;

export const redirectUri = (ctx: ApiContext, req: FastifyRequest): string => ctx.config.auth.oidc.redirect_url ?? `${origin(ctx, req)}/hub/oauth_callback`;

/** Where the provider sends the browser back to after ending its session: the hub's login page. */
export const postLogoutUri = (ctx: ApiContext, req: FastifyRequest): string => new URL('/hub/login', redirectUri(ctx, req)).href;

/** JupyterHub's OAuthenticator paths: the login starts at /hub/oauth_login and comes back to /hub/oauth_callback. */
export const oauthRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/login-options',
      {
        schema: {
          summary: 'How this hub logs people in (no authentication needed): the console shows the password form or the provider button',
          response: {
            200: Type.Object({
              authenticator: Type.Union([Type.Literal('local'), Type.Literal('ldap'), Type.Literal('oidc')]),
              oidc: Type.Optional(Type.Object({ label: Type.String(), login_url: Type.String() })),
            }),
          },
        },
      },
      async () => ({
        authenticator: ctx.config.auth.authenticator,
        ...(ctx.oidc ? { oidc: { label: ctx.oidc.label, login_url: '/hub/oauth_login' } } : {}),
      }),
    );

    const need = (reply: FastifyReply): OidcLogin | null => {
      if (ctx.oidc) return ctx.oidc;
      void errorPage(reply, 404, 'This hub does not log in through OpenID Connect.');
      return null;
    };

    app.get(
      '/oauth_login',
      { schema: { summary: 'Start a login at the OpenID Connect provider (redirect)', querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2048 })) }) } },
      async (req, reply) => {
        const oidc = need(reply);
        if (!oidc) return reply;
        const started = await oidc.begin({ next: safeNext(req.query.next), redirectUri: redirectUri(ctx, req) });
        if ('ok' in started) return errorPage(reply, started.status, started.message);
        reply.header('set-cookie', serializeCookie(OAUTH_COOKIE, started.binding, { maxAgeSeconds: PENDING_TTL_MS / 1000, httpOnly: true, secure: secureRequest(ctx, req) }));
        return reply.redirect(started.url, 302);
      },
    );

    app.get('/oauth_callback', { schema: { summary: 'Where the OpenID Connect provider sends the browser back (authorization code)' } }, async (req, reply) => {
      const oidc = need(reply);
      if (!oidc) return reply;
      const binding = parseCookies(req.headers.cookie).get(OAUTH_COOKIE);
      const outcome = await oidc.complete({ callbackUrl: new URL(req.url, 'http://nbhub.invalid'), binding });
      const clear = serializeCookie(OAUTH_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure: secureRequest(ctx, req) });
      if (!outcome.ok) {
        audit(ctx, { event: 'login_failed', user: (outcome.user ?? '').slice(0, 64), via: 'oidc', reason: outcome.reason });
        reply.header('set-cookie', clear);
        return errorPage(reply, outcome.status, outcome.message);
      }
      const user = await admitUser(ctx, outcome.user);
      const { idHash } = await issueSession(ctx, req, reply, user.name);
      reply.header('set-cookie', [...[reply.getHeader('set-cookie') ?? []].flat().map(String), clear]);
      await oidc.track(idHash, user.name, outcome.tokens);
      audit(ctx, { event: 'login', user: user.name, via: 'oidc' });
      return reply.redirect(safeNext(outcome.next), 303);
    });
  };
