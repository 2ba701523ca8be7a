import { Type } from '@fastify/type-provider-typebox';
import type { ServiceView } from '../core/services.js';

/** What a service's token may do, in JupyterHub's scope names (GET /hub/api/user's `scopes`). */
export const serviceScopes = (admin: boolean): string[] => (admin ? ['admin-ui', 'admin:users', 'admin:servers', 'read:services'] : ['read:services']);

/**
 * JupyterHub's service model. `command` and `pid` only for admins (JupyterHub shows them to holders of
 * read:services; nbhub has no scopes yet, and a command line may carry what only operators should read).
 */
export const serviceModel = (s: ServiceView, o: { admin: boolean }) => ({
  kind: 'service' as const,
  name: s.name,
  admin: s.admin,
  // JupyterHub gives admin services the admin role; others have none by default.
  roles: s.admin ? ['admin'] : [],
  url: s.url,
  prefix: s.url === '' ? '' : `/services/${s.name}/`,
  info: s.info,
  display: s.display,
  ...(o.admin ? { command: [...s.command], pid: s.pid ?? 0 } : {}),
});

export const ServiceModel = Type.Object({
  kind: Type.Literal('service'),
  name: Type.String({ description: "The service's name" }),
  admin: Type.Boolean({ description: 'Whether its token has admin rights' }),
  roles: Type.Array(Type.String(), { description: "'admin' for an admin service, else none" }),
  url: Type.String({ description: "Where the hub reaches it ('' for a service without a web server)" }),
  prefix: Type.String({ description: "Its path on the hub, /services/{name}/ ('' without a URL)" }),
  info: Type.Record(Type.String(), Type.Unknown(), { description: 'What the config attaches (info)' }),
  display: Type.Boolean({ description: 'Whether the console lists it' }),
  command: Type.Optional(Type.Array(Type.String(), { description: 'Command of a managed service, [] otherwise (admins only)' })),
  pid: Type.Optional(Type.Integer({ description: 'Its process while it runs, 0 otherwise (admins only)' })),
});
