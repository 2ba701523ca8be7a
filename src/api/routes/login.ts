import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseCookies, serializeCookie, SESSION_COOKIE, XSRF_COOKIE } from '../../accounts/cookies.js';
import { hashPassword, verifyPassword } from '../../accounts/passwords.js';
import { createSession } from '../../accounts/sessions.js';
import { audit } from '../../core/audit.js';
import { sha256hex } from '../../core/ids.js';
import type { ApiContext } from '../context.js';

/**
 * Only paths on this hub are followed after login, so `next` cannot send a user elsewhere. Parsed as a
 * browser would (which drops tabs and newlines and reads `\\` as `/`), then reduced to path and query.
 */
export const safeNext = (next: unknown): string => {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/hub/';
  let url: URL;
  try {
    url = new URL(next, 'http://nbhub.invalid');
  } catch {
    return '/hub/';
  }
  return url.host === 'nbhub.invalid' ? url.pathname + url.search : '/hub/';
};

let dummy: Promise<string> | undefined;
const dummyHash = (): Promise<string> => (dummy ??= hashPassword('nbhub: no such user'));

export const loginRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const secure = (req: FastifyRequest) =>
      ctx.config.cookie_secure === 'always' ||
      (ctx.config.cookie_secure === 'auto' && (req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https'));

    app.post(
      '/login',
      {
        schema: {
          summary: 'Log in with a local password; sets the session cookie (JSON or form body)',
          body: Type.Object(
            { username: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 1024 }), next: Type.Optional(Type.String({ maxLength: 2048 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
        const user = await ctx.store.users.get(req.body.username);
        // Unknown users (and users without a password) cost a hash check too: timing does not reveal names.
        const ok = (await verifyPassword(user?.passwordHash ?? (await dummyHash()), req.body.password)) && user?.passwordHash != null;
        if (!ok) {
          // The name as typed (it may be a mistyped password: cut short), never the password.
          audit(ctx.log, { event: 'login_failed', user: req.body.username.slice(0, 64), via: 'password', reason: user ? 'wrong password' : 'unknown user or no password' });
          if (form) return reply.redirect(`/hub/login?error=1&next=${encodeURIComponent(safeNext(req.body.next))}`, 303);
          return reply.code(403).send({ status: 403, message: 'Invalid username or password' });
        }
        const maxAge = ctx.config.session_max_age_seconds;
        const { id, record } = await createSession(ctx, user.name, maxAge);
        audit(ctx.log, { event: 'login', user: user.name, via: 'password' });
        reply.header('set-cookie', [
          serializeCookie(SESSION_COOKIE, id, { maxAgeSeconds: maxAge, httpOnly: true, secure: secure(req) }),
          // Readable by the console's script, which echoes it in X-XSRFToken on writes.
          serializeCookie(XSRF_COOKIE, record.xsrf, { maxAgeSeconds: maxAge, httpOnly: false, secure: secure(req) }),
        ]);
        if (form) return reply.redirect(safeNext(req.body.next), 303);
        return { name: user.name, admin: user.admin, next: safeNext(req.body.next) };
      },
    );

    const logout = async (req: FastifyRequest, reply: FastifyReply) => {
      const sid = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
      if (sid) {
        const rec = await ctx.store.sessions.get(sha256hex(sid));
        await ctx.store.sessions.delete(sha256hex(sid));
        if (rec) {
          ctx.identity.forget(rec.user);
          audit(ctx.log, { event: 'logout', user: rec.user });
        }
      }
      reply.header('set-cookie', [
        serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure: secure(req) }),
        serializeCookie(XSRF_COOKIE, '', { maxAgeSeconds: 0, httpOnly: false, secure: secure(req) }),
      ]);
      return reply.redirect('/hub/login', 303);
    };
    app.get('/logout', { schema: { summary: 'Log out (clears the session)' } }, logout);
    app.post('/logout', { schema: { summary: 'Log out (clears the session)' } }, logout);
  };
