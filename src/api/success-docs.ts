import type { TSchema } from '@fastify/type-provider-typebox';
import type { FastifySchema, RouteOptions } from 'fastify';
import { ErrorBodySchema, noBody } from './response-docs.js';
import * as S from './response-schemas.js';

/** Success codes and their bodies (noBody: none). */
type Body = TSchema | Record<string, unknown>;
type Codes = Record<string, Body>;
const ok = (schema: Body): Codes => ({ 200: schema });
const created = (schema: Body): Codes => ({ 201: schema });
const STARTED: Codes = { 201: S.ServerModelSchema, 202: S.ServerModelSchema };
const failed = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: ErrorBodySchema } } });
const LOGIN_FAILED: Codes = { '4xx': failed('Login failed: a page saying why'), '5xx': failed('The provider failed: a page saying so') };
/** The default server's routes and a named server's answer alike. */
const both = (tail: string, codes: Codes): Record<string, Codes> => ({
  [`/hub/api/users/:name/server${tail}`]: codes,
  [`/hub/api/users/:name/servers/:server${tail}`]: codes,
});
const get = (paths: Record<string, Codes>): Record<string, Codes> => Object.fromEntries(Object.entries(paths).map(([p, c]) => [`GET ${p}`, c]));

/**
 * The success bodies of the routes whose `response` names none (or names one without a schema), by method and
 * path: what the document says they answer. Kept out of the routes' `response` so fastify does not serialize with
 * them (response-schemas.ts says why). A route listed here is documented with exactly these success codes (and
 * these error bodies where it names some; the others stay response-docs.ts' shared one).
 */
export const SUCCESS_DOCS: Record<string, Codes> = {
  'GET /hub/api/info': ok(S.RootInfo),
  'GET /hub/api/user': ok(S.CallerModel),
  'GET /hub/api/users': ok(S.UsersList),
  'POST /hub/api/users': created(S.CreatedUsers),
  'GET /hub/api/users/:name': ok(S.UserModelSchema),
  'POST /hub/api/users/:name': created(S.UserModelSchema),
  'PATCH /hub/api/users/:name': ok(S.UserModelSchema),
  'POST /hub/api/users/:name/server': STARTED,
  'POST /hub/api/users/:name/servers/:server': STARTED,
  'GET /hub/api/users/:name/tokens': ok(S.TokenList),
  'POST /hub/api/users/:name/tokens': created(S.NewToken),
  'GET /hub/api/users/:name/tokens/:token_id': ok(S.TokenModelSchema),
  'GET /hub/api/roles': ok(S.RolesList),
  'GET /hub/api/groups': ok(S.GroupsList),
  'POST /hub/api/groups': created(S.CreatedGroups),
  'GET /hub/api/groups/:name': ok(S.GroupModelSchema),
  'POST /hub/api/groups/:name': created(S.GroupModelSchema),
  'PUT /hub/api/groups/:name/properties': ok(S.GroupModelSchema),
  'POST /hub/api/groups/:name/users': ok(S.GroupModelSchema),
  'DELETE /hub/api/groups/:name/users': ok(S.GroupModelSchema),
  'DELETE /hub/api/groups/:name': { 204: noBody('Deleted; its users stay') },
  ...get({
    '/hub/api/usage': ok(S.UsageAnswer),
    '/hub/api/clusters/:name/usage': ok(S.UsageAnswer),
    ...both('/kernels', ok(S.KernelsList)),
    ...both('/processes', ok(S.ProcessesList)),
    '/hub/api/live': ok(S.LiveAnswer),
    ...both('/history', ok(S.HistoryList)),
    '/hub/api/executions': ok(S.ExecutionsPage),
    '/hub/api/executions/summary': ok(S.ExecutionSummary),
    '/hub/api/executions/:id': ok(S.ExecutionModel),
    '/hub/api/agents': ok(S.AgentsList),
    '/hub/api/events': ok(S.EventsPage),
    '/hub/api/audit': ok(S.AuditPage),
    '/hub/api/openapi.json': ok(S.OpenApiDocument),
  }),
  'POST /hub/api/agents': ok(S.AgentRegistered),
  'POST /hub/api/agents/:id/seeds': ok(S.AgentSeeds),
  // The OpenID Connect login: a redirect, or a page saying why not (a query the schema refuses: the JSON error).
  'GET /hub/oauth_login': { 302: noBody('To the provider'), ...LOGIN_FAILED },
  'GET /hub/oauth_callback': { 303: noBody('Logged in: to the page asked for'), ...LOGIN_FAILED },
};

type Transform = { schema: FastifySchema; url: string; route: RouteOptions };

/**
 * @fastify/swagger's `transform`: the document's copy of a listed route's schema gets its success bodies (the
 * generic 2xx of response-docs.ts goes); the route's own schema, which serializes, is left as it is.
 */
export const documentSuccess = ({ schema, url, route }: Transform): { schema: FastifySchema; url: string } => {
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  const codes = methods.map((m) => SUCCESS_DOCS[`${m} ${url}`]).find((c) => c !== undefined);
  if (!codes) return { schema, url };
  const named = (schema.response ?? {}) as Record<string, { description?: string } | undefined>;
  const response: Record<string, unknown> = Object.fromEntries(Object.entries(named).filter(([code]) => !/^2/.test(code)));
  for (const [code, body] of Object.entries(codes)) response[code] = { ...body, description: named[code]?.description ?? (body as { description?: string }).description ?? 'Success' };
  return { schema: { ...schema, response }, url };
};
