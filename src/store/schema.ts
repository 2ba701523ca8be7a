import type { Generated } from 'kysely';

/** Row types as kysely sees them. Booleans are 0/1 and times are epoch milliseconds, for both dialects. */
export interface UsersTable {
  name: string;
  admin: number;
  password_hash: string | null;
  created: number;
  last_activity: number | null;
}

export interface ServersTable {
  user_name: string;
  name: string;
  profile: string;
  desired: string;
  state: string;
  handle: string | null;
  target: string | null;
  runtime_token: string | null;
  created: number;
  started: number | null;
  ready: number | null;
  last_activity: number | null;
  stopped_at: number | null;
  stop_requested_at: number | null;
  stop_reason: string | null;
  requested_by: string | null;
  exit_status: number | null;
  log_tail: string | null;
  message: string | null;
  user_options: string;
  owner: string | null;
  version: number;
  remove_requested: number;
}

/** Kept apart from ServersTable (a record's row): the store stamps it, nobody writes it (migration 012). */
export interface ServerStampColumn {
  changed_in: Generated<number>;
}

/** A server key deleted or renamed away, and when (migration 012). */
export interface ServerTombstonesTable {
  user_name: string;
  name: string;
  changed_in: number;
  deleted_at: number;
}

export interface TokensTable {
  id: string;
  user_name: string;
  hash: string;
  prefix: string;
  note: string;
  created: number;
  expires_at: number | null;
  last_activity: number | null;
  /** JSON array, or null (the token inherits its owner's rights): migration 018. */
  scopes: string | null;
  roles: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_name: string;
  xsrf: string;
  created: number;
  expires_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** One series of usage rows: a runtime as a whole (kernel '') or one of its kernels. */
export interface UsageSeriesTable {
  id: Generated<number>;
  user_name: string;
  server: string;
  kernel: string;
}

/** One row: moved on whenever usage series rows are deleted or renamed (migration 013, series-epoch.ts). */
export interface UsageSeriesEpochTable {
  epoch: number;
}

/** The usage table of each resolution (each keyed by series and t). */
export const USAGE_TABLE = { raw: 'usage_raw', '1m': 'usage_1m', '1h': 'usage_1h', '1d': 'usage_1d' } as const;

export interface UsageTable {
  series: number;
  t: number;
  cpu_from: number;
  cpu: number;
  memory: number;
}

export interface KernelNotebooksTable {
  user_name: string;
  server: string;
  kernel: string;
  notebook: string;
  last_seen: number;
}

export interface ServerEventsTable {
  user_name: string;
  server: string;
  t: number;
  action: string;
  reason: string | null;
  actor: string | null;
  message: string | null;
  profile: string | null;
}

export interface ExecutionsTable {
  id: string;
  user_name: string;
  server: string;
  kernel: string;
  notebook: string | null;
  attribution: string;
  candidates: string;
  cell_id: string | null;
  msg_id: string;
  client_session: string;
  execution_count: number | null;
  code: string | null;
  code_sha256: string;
  code_bytes: number;
  requested: number;
  started: number;
  ended: number | null;
  status: string;
  error_name: string | null;
  cpu_seconds: number | null;
  peak_memory: number | null;
  spark_cpu_seconds: number | null;
}

export interface AgentsTable {
  id: string;
  url: string | null;
  secret: string | null;
  registered_at: number;
  last_contact: number | null;
  last_error: string | null;
  stored_offset: number;
  stored_time: number | null;
  head_offset: number;
  head_time: number | null;
  events_lost: number;
  lease_owner: string | null;
  lease_expires: number | null;
}

export interface AgentEventsTable {
  seq: Generated<number>;
  agent: string;
  agent_offset: number;
  time: number;
  stored_at: number;
  type: string;
  /** The event's own fields (JSON), beside offset, time and type. */
  data: string;
}

export interface HubInstancesTable {
  id: string;
  last_seen: number;
}

export interface ClustersTable {
  name: string;
  kind: string;
  owner: string;
  users: string;
  workers: number;
  worker_cores: number;
  worker_memory_mb: number;
  desired: string;
  state: string;
  handle: string | null;
  endpoints: string | null;
  failure: string | null;
  created: number;
  started: number | null;
  stopped: number | null;
}

export interface SparkJobsTable {
  id: string;
  cluster: string;
  user_name: string;
  resource: string;
  main_class: string;
  args: string;
  conf: string;
  submission_id: string | null;
  app_id: string | null;
  state: string;
  message: string | null;
  submitted: number;
  ended: number | null;
}

export interface GroupsTable {
  name: string;
  properties: string;
  created: number;
}

export interface GroupMembersTable {
  group_name: string;
  user_name: string;
}

export interface OidcSessionsTable {
  session_hash: string;
  user_name: string;
  refresh_token: string | null;
  id_token: string | null;
  refreshed_at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  time: number;
  event: string;
  user_name: string;
  by: string | null;
  data: string;
}

export interface Database {
  audit_events: AuditEventsTable;
  oidc_sessions: OidcSessionsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  clusters: ClustersTable;
  spark_jobs: SparkJobsTable;
  executions: ExecutionsTable;
  agents: AgentsTable;
  agent_events: AgentEventsTable;
  hub_instances: HubInstancesTable;
  usage_series: UsageSeriesTable;
  usage_series_epoch: UsageSeriesEpochTable;
  usage_raw: UsageTable;
  usage_1m: UsageTable;
  usage_1h: UsageTable;
  usage_1d: UsageTable;
  kernel_notebooks: KernelNotebooksTable;
  users: UsersTable;
  servers: ServersTable & ServerStampColumn;
  server_tombstones: ServerTombstonesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  meta: MetaTable;
  server_events: ServerEventsTable;
}
