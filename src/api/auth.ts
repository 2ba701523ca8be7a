import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../core/errors.js';
import { canAccess, type Identity } from '../core/identity.js';
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

export const requireAdmin = (req: FastifyRequest): Identity => {
  const who = requireUser(req);
  if (!who.admin) throw new HubError('FORBIDDEN', 'Admin access required');
  return who;
};

/** The caller may act on `owner`'s resources. Others get 404, which does not confirm the user exists. */
export const requireSelfOrAdmin = (req: FastifyRequest, owner: string): Identity => {
  const who = requireUser(req);
  if (!canAccess(who, owner)) throw new HubError('NOT_FOUND', `No such user: ${owner}`);
  return who;
};
