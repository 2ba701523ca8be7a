import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import { allows, type ScopeTarget } from '../core/scopes.js';
import { crossOriginRefusal } from '../core/origin.js';
import type { ApiContext } from './context.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity | null;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves who is calling. A cookie-authenticated call must come from the hub's own pages (access.ts), and a write must echo the session's XSRF value in
 * X-XSRFToken (JupyterHub's header name); token-authenticated calls cannot be forged by a browser.
 */
export const authenticate = (ctx: ApiContext) => async (req: FastifyRequest, _reply: FastifyReply) => {
  const query = req.query as Record<string, unknown> | undefined;
  req.identity = await ctx.identity.identify({
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    queryToken: typeof query?.['token'] === 'string' ? query['token'] : undefined,
  });
  // Another site's page may not use the session at all (no-cors reads included), nor write from another origin.
  const crossOrigin = req.identity ? crossOriginRefusal(req.identity, req.method, req.headers, false) : null;
  if (crossOrigin) throw new HubError('FORBIDDEN', crossOrigin);
  if (req.identity?.via === 'cookie' && !SAFE.has(req.method)) {
    const sent = req.headers['x-xsrftoken'];
    if (sent !== req.identity.xsrf) throw new HubError('FORBIDDEN', "XSRF check failed: send the nbhub-xsrf cookie's value in the X-XSRFToken header");
  }
};

export const requireUser = (req: FastifyRequest): Identity => {
  // 403, not 401: JupyterHub's API answers a missing or unknown credential so, and its clients expect it.
  if (!req.identity) throw new HubError('FORBIDDEN', 'Authentication required: send an API token (Authorization: token …) or log in');
  return req.identity;
};

/** The caller holds `scope` everywhere (unfiltered), else 403 naming it. */
export const requireScope = (req: FastifyRequest, scope: string): Identity => {
  const who = requireUser(req);
  if (!allows(who.scopes, scope)) throw new HubError('FORBIDDEN', `Missing scope: ${scope}`);
  return who;
};

/** Whether the caller holds `scope` on `target` (no throw): for lists and optional fields. */
export const mayFor = (who: Identity, scope: string, target: ScopeTarget): boolean => allows(who.scopes, scope, target);

/**
 * The caller holds `scope` on `target`. One who cannot see the target at all (none of `see`, nor `scope`, on it)
 * gets 404, which does not confirm it exists; one who sees it but may not act gets 403 naming the scope.
 */
export const requireScopeFor = (req: FastifyRequest, scope: string, target: ScopeTarget, see: readonly string[] = ['read:users']): Identity => {
  const who = requireUser(req);
  if (allows(who.scopes, scope, target)) return who;
  if (see.some((s) => allows(who.scopes, s, target))) {
    throw new HubError('FORBIDDEN', `Missing scope: ${scope}${target.server !== undefined ? `!server=${target.user}/${target.server}` : `!user=${target.user}`}`);
  }
  throw new HubError('NOT_FOUND', `No such user: ${target.user}`);
};

/** The caller holds `scope` on `target`, else 403 naming it (admin actions, which answered 403 before scopes too). */
export const requireScopeOn = (req: FastifyRequest, scope: string, target: ScopeTarget): Identity => {
  const who = requireUser(req);
  if (!allows(who.scopes, scope, target)) throw new HubError('FORBIDDEN', `Missing scope: ${scope}`);
  return who;
};

export const requireAdmin = (req: FastifyRequest): Identity => requireScope(req, 'admin:users');
