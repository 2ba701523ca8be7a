import { Type } from '@fastify/type-provider-typebox';
import { SERVER_NAME_PATTERN, USER_NAME_PATTERN } from '../core/names.js';
import { USER_SORTS } from '../core/store.js';

/** Input schemas shared by routes. Bodies are closed (unknown fields are refused), except user_options. */
export const UserName = Type.String({ pattern: USER_NAME_PATTERN, description: 'User name' });
export const ServerName = Type.String({ pattern: SERVER_NAME_PATTERN, description: 'Named server' });
export const UserParams = Type.Object({ name: UserName });
export const ServerParams = Type.Object({ name: UserName, server: ServerName });
export const TokenParams = Type.Object({ name: UserName, token_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
export const ErrorReply = Type.Object({ status: Type.Integer(), message: Type.String() });

const Digits = Type.String({ pattern: '^[0-9]{1,9}$' });
/** GET /users: JupyterHub's paging, state and name_filter, and nbhub's search, idle_for (seconds) and sort. */
export const UsersQuery = Type.Object(
  {
    offset: Type.Optional(Digits),
    limit: Type.Optional(Digits),
    state: Type.Optional(
      Type.Union([Type.Literal('active'), Type.Literal('ready'), Type.Literal('inactive'), Type.Literal('failed')], {
        description: 'active, ready, inactive (as JupyterHub) or failed (nbhub: a server failed)',
      }),
    ),
    name_filter: Type.Optional(Type.String({ maxLength: 255, description: "The user's name contains it (any case)" })),
    search: Type.Optional(Type.String({ maxLength: 255, description: "nbhub: the user's name or one of their servers' names contains it" })),
    idle_for: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: 'nbhub: users with a running server idle for at least this many seconds' })),
    // Checked by the route, whose message lists the orders (a schema's anyOf message would not).
    sort: Type.Optional(Type.String({ maxLength: 32, description: `nbhub: the order, one of ${USER_SORTS.join(', ')}; - reverses` })),
    include_stopped_servers: Type.Optional(Type.String()),
    token: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export const ModelQuery = Type.Object(
  { include_stopped_servers: Type.Optional(Type.String()), token: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

export const flag = (v: string | undefined): boolean => v !== undefined && v !== 'false' && v !== '0';
