import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { ServiceModel } from './service-models.js';
import { AuditEventModel } from './routes/audit.js';

/**
 * The success bodies of /hub/api, one schema per model (issue 16: the OpenAPI document describes every response).
 * Documentation only: routes.ts' table (success-docs.ts) puts them into the document through @fastify/swagger's
 * `transform`, never into a route's `response`, which fastify would use to serialize (dropping unknown fields,
 * turning null into "" or 0). Models that may grow are open (`additionalProperties: true`).
 */

/** A field that is null when there is no value (OpenAPI 3.0's `nullable`). */
const orNull = <T extends TSchema>(t: T): T => ({ ...t, nullable: true });
const Time = Type.String({ format: 'date-time' });
const TimeOrNull = orNull(Type.String({ format: 'date-time' }));
const Open = { additionalProperties: true } as const;
const Strings = Type.Array(Type.String());
/** Cores or bytes now; null is no figure yet. */
const FigureOrNull = orNull(Type.Number());

/** JupyterHub's paging: `{items, _pagination}` (Accept: application/jupyterhub-pagination+json, or always for nbhub's lists). */
const Pagination = Type.Object(
  {
    offset: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0 }),
    next: orNull(Type.Object({ offset: Type.Integer(), limit: Type.Integer(), url: Type.Optional(Type.String()) }, Open)),
  },
  Open,
);
const page = <T extends TSchema>(item: T, description: string) => Type.Object({ items: Type.Array(item), _pagination: Pagination }, { ...Open, description });
/** A plain array, or the page with Accept: application/jupyterhub-pagination+json (JupyterHub's lists). */
const listOrPage = <T extends TSchema>(item: T, what: string) =>
  Type.Union([Type.Array(item, { description: `The ${what}` }), page(item, `The ${what}, paginated (Accept: application/jupyterhub-pagination+json)`)]);

export const RootInfo = Type.Object(
  {
    version: Type.String({ description: 'The JupyterHub API version nbhub follows' }),
    nbhub_version: Type.String(),
    python: Type.Null(),
    sys_executable: Type.Null(),
    spawner: Type.Object({ class: Type.String(), version: Type.String() }, Open),
    authenticator: Type.Object({ class: Type.String(), version: Type.String() }, Open),
    store: Type.String({ description: 'sqlite or postgres' }),
    profiles: Type.Array(Type.Object({ name: Type.String() }, Open)),
  },
  Open,
);

/** JupyterHub's server model, nbhub's fields under `nbhub` (models.ts serverModel). */
export const ServerModelSchema = Type.Object(
  {
    name: Type.String({ description: "'' for the default server" }),
    ready: Type.Boolean(),
    pending: orNull(Type.String({ enum: ['spawn', 'stop'] })),
    stopped: Type.Boolean(),
    url: Type.String(),
    progress_url: Type.String(),
    started: TimeOrNull,
    last_activity: TimeOrNull,
    user_options: Type.Record(Type.String(), Type.Unknown()),
    state: Type.Optional(Type.Object({}, { ...Open, description: 'Admins only' })),
    nbhub: Type.Object(
      {
        state: Type.String({ enum: ['stopped', 'pending', 'running', 'stopping', 'failed'] }),
        profile: Type.String(),
        stop_reason: orNull(Type.String()),
        stopped_at: TimeOrNull,
        stop_requested_at: TimeOrNull,
        requested_by: orNull(Type.String()),
        exit_status: orNull(Type.Integer()),
        log_tail: orNull(Type.String()),
        message: orNull(Type.String()),
        cull_at: TimeOrNull,
        cull_warn_at: TimeOrNull,
        cull_reason: orNull(Type.String()),
        owner: Type.Optional(orNull(Type.String({ description: 'The hub instance that runs it (admins only)' }))),
      },
      Open,
    ),
  },
  { ...Open, description: 'The server model' },
);

/** JupyterHub's user model (models.ts userModel). */
export const UserModelSchema = Type.Object(
  {
    kind: Type.Literal('user'),
    name: Type.String(),
    admin: Type.Boolean(),
    roles: Strings,
    groups: Strings,
    server: orNull(Type.String({ description: "The default server's URL while it runs" })),
    pending: orNull(Type.String({ enum: ['spawn', 'stop'] })),
    created: TimeOrNull,
    last_activity: TimeOrNull,
    servers: Type.Record(Type.String(), ServerModelSchema, { description: 'Active servers by name (all with include_stopped_servers)' }),
    auth_state: Type.Null(),
  },
  { ...Open, description: 'The user model' },
);

export const UsersList = listOrPage(UserModelSchema, 'users');
export const CreatedUsers = Type.Array(UserModelSchema, { description: 'The users created' });

/** GET /user: the caller, a user (with their expanded scopes) or a service. */
export const CallerModel = Type.Union([
  Type.Intersect([UserModelSchema, Type.Object({ scopes: Strings })]),
  Type.Intersect([ServiceModel, Type.Object({ scopes: Strings, session_id: Type.Null(), token_id: Type.Null() })]),
]);

/** JupyterHub's token model (models.ts tokenModel), without the secret. */
export const TokenModelSchema = Type.Object(
  {
    user: Type.String(),
    id: Type.String(),
    kind: Type.Literal('api_token'),
    roles: Strings,
    scopes: Strings,
    created: TimeOrNull,
    last_activity: TimeOrNull,
    expires_at: TimeOrNull,
    note: Type.String(),
    session_id: Type.Null(),
    oauth_client: Type.String(),
    prefix: Type.String({ description: 'First characters of the token, to tell tokens apart' }),
  },
  { ...Open, description: 'The token model' },
);
export const TokenList = Type.Object({ api_tokens: Type.Array(TokenModelSchema), oauth_tokens: Type.Array(Type.Unknown()) }, Open);
export const NewToken = Type.Intersect([TokenModelSchema, Type.Object({ token: Type.String({ description: 'The secret, shown this once' }) })]);

export const GroupModelSchema = Type.Object(
  { kind: Type.Literal('group'), name: Type.String(), users: Strings, properties: Type.Record(Type.String(), Type.Unknown()), roles: Strings },
  { ...Open, description: 'The group model' },
);
export const GroupsList = listOrPage(GroupModelSchema, 'groups');
export const CreatedGroups = Type.Array(GroupModelSchema);

export const RoleModel = Type.Object(
  { kind: Type.Literal('role'), name: Type.String(), description: Type.String(), scopes: Strings, users: Strings, groups: Strings, services: Strings },
  Open,
);
export const RolesList = Type.Array(RoleModel);

const Labels = Type.Record(Type.String(), Type.String());
export const UsageAnswer = Type.Object(
  {
    series: Type.Array(
      Type.Object(
        { labels: Labels, points: Type.Array(Type.Object({ t: Type.Number({ description: 'Unix seconds' }), cpu: Type.Number(), memory: Type.Number() }, Open)) },
        Open,
      ),
    ),
    totals: Type.Array(Type.Object({ labels: Labels, cpu_seconds: Type.Number(), peak_memory: Type.Number() }, Open)),
  },
  Open,
);

export const KernelsList = Type.Object(
  {
    kernels: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          notebooks: Strings,
          execution_state: Type.String(),
          last_activity: TimeOrNull,
          connections: Type.Integer(),
          cpu: FigureOrNull,
          memory: FigureOrNull,
        },
        Open,
      ),
    ),
  },
  Open,
);

export const ProcessesList = Type.Object(
  {
    processes: Type.Array(
      Type.Object(
        {
          pid: Type.Integer(),
          ppid: Type.Integer(),
          command: Type.String(),
          cpu: FigureOrNull,
          memory: Type.Number(),
          kernel_id: orNull(Type.String()),
          notebook: orNull(Type.String({ description: 'Its kernel\'s notebooks, comma-separated' })),
        },
        Open,
      ),
    ),
  },
  Open,
);

export const LiveAnswer = Type.Object(
  {
    t: Time,
    servers: Type.Array(Type.Object({ user: Type.String(), server: Type.String(), cpu: FigureOrNull, memory: FigureOrNull, kernels: orNull(Type.Integer()) }, Open)),
    users: Type.Array(Type.Object({ user: Type.String(), cpu: FigureOrNull, memory: FigureOrNull }, Open)),
  },
  Open,
);

export const HistoryList = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          time: TimeOrNull,
          action: Type.String({ enum: ['start', 'stop', 'delete'] }),
          reason: orNull(Type.String()),
          by: orNull(Type.String()),
          message: orNull(Type.String()),
          profile: orNull(Type.String()),
        },
        Open,
      ),
    ),
  },
  Open,
);

/** execution-models.ts executionModel. */
export const ExecutionModel = Type.Object(
  {
    id: Type.String(),
    user: Type.String(),
    server: Type.String(),
    kernel_id: Type.String(),
    notebook: orNull(Type.String()),
    cell_id: orNull(Type.String()),
    execution_count: orNull(Type.Integer()),
    code: orNull(Type.String()),
    started: TimeOrNull,
    ended: TimeOrNull,
    duration_seconds: orNull(Type.Number()),
    status: Type.String(),
    cpu_seconds: orNull(Type.Number()),
    peak_memory: orNull(Type.Number()),
    spark_cpu_seconds: orNull(Type.Number()),
    error_name: orNull(Type.String()),
    requested: TimeOrNull,
    attribution: Type.String({ enum: ['pending', 'session', 'cell', 'ambiguous', 'none'] }),
    notebook_candidates: Strings,
    code_sha256: Type.String(),
    code_bytes: Type.Integer(),
    code_truncated: Type.Boolean(),
  },
  Open,
);
export const ExecutionsPage = page(ExecutionModel, 'Cell executions, newest first');

export const ExecutionSummary = Type.Object(
  {
    since: Time,
    until: Time,
    notebooks: Type.Array(
      Type.Object(
        {
          user: Type.String(),
          server: Type.String(),
          notebook: orNull(Type.String()),
          runs: Type.Integer(),
          errors: Type.Integer(),
          cpu_seconds: Type.Number(),
          peak_memory: orNull(Type.Number()),
          last_run: TimeOrNull,
        },
        Open,
      ),
    ),
    kernels: Type.Array(
      Type.Object(
        {
          user: Type.String(),
          server: Type.String(),
          kernel_id: Type.String(),
          notebooks: Strings,
          runs: Type.Integer(),
          cpu_seconds: Type.Number(),
          execution_cpu_seconds: Type.Number(),
          idle_cpu_seconds: Type.Number(),
        },
        Open,
      ),
    ),
    totals: Type.Object(
      {
        runs: Type.Integer(),
        errors: Type.Integer(),
        cpu_seconds: Type.Number(),
        kernel_cpu_seconds: Type.Number(),
        execution_cpu_seconds: Type.Number(),
        idle_cpu_seconds: Type.Number(),
      },
      Open,
    ),
  },
  Open,
);

export const AgentModel = Type.Object(
  {
    id: Type.String(),
    url: orNull(Type.String({ description: 'null for the embedded agent' })),
    embedded: Type.Boolean(),
    state: Type.String({ enum: ['unassigned', 'unreachable', 'connecting', 'ok', 'gone'], description: 'gone: its pod was deleted (Kubernetes); not pulled' }),
    owner: orNull(Type.String()),
    lease_expires: TimeOrNull,
    last_offset: Type.Number(),
    last_event_time: TimeOrNull,
    head_offset: Type.Number(),
    lag: Type.Object({ events: Type.Number(), seconds: Type.Number() }, Open),
    last_contact: TimeOrNull,
    last_error: orNull(Type.String()),
    events_lost: Type.Number(),
    registered: TimeOrNull,
    runtimes: orNull(
      Type.Array(Type.Object({ user: Type.String(), server: Type.String(), monitoring: Type.String() }, Open), { description: 'Known only to the instance that pulls the agent' }),
    ),
    stats: orNull(Type.Object({ sweeps: Type.Number(), errors: Type.Number(), last_sweep: TimeOrNull, interval_seconds: Type.Number() }, Open)),
  },
  Open,
);
export const AgentsList = Type.Object({ agents: Type.Array(AgentModel) }, Open);
export const AgentRegistered = Type.Object({ id: Type.String(), hub_id: Type.String(), interval_seconds: Type.Number(), last_offset: Type.Number() }, Open);
export const AgentSeeds = Type.Object(
  { seeds: Type.Array(Type.Object({ user: Type.String(), server: Type.String(), kernel: Type.String(), t: Type.Number(), cpu: Type.Number() }, Open)) },
  Open,
);

export const EventsPage = Type.Object(
  {
    events: Type.Array(
      Type.Object({ seq: Type.Integer(), time: Time, type: Type.String(), agent: Type.String(), offset: Type.Number(), stored_at: Time }, { ...Open, description: "A monitoring event: its type's fields follow" }),
    ),
    next_after: Type.Integer({ description: 'The seq to continue after' }),
  },
  Open,
);

export const AuditPage = page(AuditEventModel, 'Audit events, newest first');

export const OpenApiDocument = Type.Object({ openapi: Type.String(), info: Type.Object({}, Open), paths: Type.Object({}, Open) }, { ...Open, description: 'This document' });
