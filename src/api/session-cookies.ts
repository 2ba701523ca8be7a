import type { FastifyReply, FastifyRequest } from 'fastify';
import { HOST_SESSION_COOKIE, serializeCookie, SESSION_COOKIE, sessionCookieName, XSRF_COOKIE } from '../accounts/cookies.js';
import { createSession } from '../accounts/sessions.js';
import type { ApiContext } from './context.js';

/** Whether the hub's cookies get `Secure` on this request (config `cookie_secure`). */
export const secureRequest = (ctx: ApiContext, req: FastifyRequest): boolean =>
  ctx.config.cookie_secure === 'always' ||
  (ctx.config.cookie_secure === 'auto' && (req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https'));

/**
 * Starts a login session for `user` and sets its two cookies on the reply: the one place every way of logging in
 * (password, LDAP, OpenID Connect) ends.
 */
export const issueSession = async (ctx: ApiContext, req: FastifyRequest, reply: FastifyReply, user: string): Promise<{ idHash: string }> => {
  const maxAge = ctx.config.session_max_age_seconds;
  const secure = secureRequest(ctx, req);
  const { id, record } = await createSession(ctx, user, maxAge);
  reply.header('set-cookie', [
    serializeCookie(sessionCookieName(secure), id, { maxAgeSeconds: maxAge, httpOnly: true, secure }),
    // Readable by the console's script, which echoes it in X-XSRFToken on writes.
    serializeCookie(XSRF_COOKIE, record.xsrf, { maxAgeSeconds: maxAge, httpOnly: false, secure }),
  ]);
  return { idHash: record.idHash };
};

/** Clears the session's cookies in the browser (the session itself is deleted by the caller). */
export const clearSessionCookies = (ctx: ApiContext, req: FastifyRequest, reply: FastifyReply): void => {
  const secure = secureRequest(ctx, req);
  reply.header('set-cookie', [
    // Both names: a session started over plain HTTP before TLS was put in front lives under the other one.
    serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure }),
    ...(secure ? [serializeCookie(HOST_SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure })] : []),
    serializeCookie(XSRF_COOKIE, '', { maxAgeSeconds: 0, httpOnly: false, secure }),
  ]);
};
