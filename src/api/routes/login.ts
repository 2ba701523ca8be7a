import { ErrorBodySchema, noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { admitUser } from '../../accounts/admit.js';
import { sessionIdOf } from '../../accounts/cookies.js';
import { audit } from '../../core/audit.js';
import { foreignSessionChange } from '../../core/origin.js';
import { sha256hex } from '../../core/ids.js';
import { safeRedirectPath } from '../../core/urls.js';
import type { ApiContext } from '../context.js';
import { clearSessionCookies, issueSession } from '../session-cookies.js';
import { postLogoutUri } from './oauth.js';

/** Only paths on this hub are followed after login (core/urls.ts decides every hub redirect). */
export const safeNext = (next: unknown): string => safeRedirectPath(next);

export const loginRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/login',
      {
        schema: {
          summary: 'Log in with a username and password (local accounts or LDAP); sets the session cookie (JSON or form body)',
          body: Type.Object(
            { username: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 1024 }), next: Type.Optional(Type.String({ maxLength: 2048 })) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ name: Type.String(), admin: Type.Boolean(), next: Type.String() }, { description: 'Logged in (JSON body): the session cookie is set' }),
            303: noBody('A form post: to `next` when logged in, else back to the login page with ?error='),
            '4xx': ErrorBodySchema,
          },
        },
      },
      async (req, reply) => {
        const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
        // Login CSRF: another site's form must not log this browser in as someone else.
        const foreign = foreignSessionChange(req.method, req.headers);
        if (foreign) return reply.code(403).send({ status: 403, message: foreign });
        if (ctx.config.auth.authenticator === 'oidc') {
          return reply.code(400).send({ status: 400, message: 'This hub logs in through OpenID Connect: start at /hub/oauth_login' });
        }
        const outcome = await ctx.authenticator.login(req.body.username, req.body.password, { ip: req.ip });
        if (!outcome.ok) {
          // The name as typed (it may be a mistyped password: cut short), never the password.
          // `via` as a successful login says it: local accounts log in by 'password'.
          audit(ctx, { event: 'login_failed', user: req.body.username.slice(0, 64), via: ctx.authenticator.kind === 'local' ? 'password' : ctx.authenticator.kind, reason: outcome.reason });
          const status = outcome.status ?? 403;
          if (outcome.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.retryAfterSeconds));
          if (form) return reply.redirect(`/hub/login?error=${status === 429 ? 'wait' : '1'}&next=${encodeURIComponent(safeNext(req.body.next))}`, 303);
          const message = status === 429 ? 'Too many failed logins: try again later' : 'Invalid username or password';
          return reply.code(status).send({ status, message });
        }
        const user = await admitUser(ctx, outcome.user);
        await issueSession(ctx, req, reply, user.name);
        audit(ctx, { event: 'login', user: user.name, via: outcome.user.via });
        if (form) return reply.redirect(safeNext(req.body.next), 303);
        return { name: user.name, admin: user.admin, next: safeNext(req.body.next) };
      },
    );

    const logout = async (req: FastifyRequest, reply: FastifyReply) => {
      // Another site's link, image or form does not end the session: back to the hub's home, still logged in.
      if (foreignSessionChange(req.method, req.headers)) return reply.redirect('/hub/', 303);
      const sid = sessionIdOf(req.headers.cookie);
      // With auth.oidc.logout_redirect, the provider's session ends too, then the provider sends the browser back.
      const away = sid && ctx.oidc ? await ctx.oidc.logout(sha256hex(sid), postLogoutUri(ctx, req)) : null;
      if (sid) {
        const rec = await ctx.store.sessions.get(sha256hex(sid));
        await ctx.store.sessions.delete(sha256hex(sid));
        ctx.revocations?.revokeSession(sha256hex(sid));
        if (rec) {
          ctx.identity.forget(rec.user);
          audit(ctx, { event: 'logout', user: rec.user });
        }
      }
      clearSessionCookies(ctx, req, reply);
      return reply.redirect(away ?? '/hub/login', 303);
    };
    const loggedOut = { summary: 'Log out (clears the session)', response: { 303: noBody('To /hub/login') } };
    app.get('/logout', { schema: loggedOut }, logout);
    app.post('/logout', { schema: loggedOut }, logout);
  };
