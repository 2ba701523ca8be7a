/** The parts of the hub's API models (JupyterHub's, with nbhub's fields under `nbhub`) the console reads. */
export type RuntimeState = 'stopped' | 'pending' | 'running' | 'stopping' | 'failed';

export interface ServerModel {
  /** '' is the default server. */
  name: string;
  ready: boolean;
  pending: 'spawn' | 'stop' | null;
  stopped: boolean;
  url: string;
  started: string | null;
  last_activity: string | null;
  user_options: Record<string, unknown>;
  nbhub: {
    state: RuntimeState;
    profile: string;
    stop_reason: string | null;
    stopped_at: string | null;
    stop_requested_at: string | null;
    requested_by: string | null;
    exit_status: number | null;
    log_tail: string | null;
    message: string | null;
    /** When the culler stops it if nothing happens (null: it will not), from when to warn, and why. */
    cull_at: string | null;
    cull_warn_at: string | null;
    cull_reason: 'idle' | 'max_age' | null;
  };
}

/** One start, stop or deletion in a server's history (a deleted server's history stays). */
export interface HistoryEvent {
  time: string;
  action: 'start' | 'stop' | 'delete';
  reason: string | null;
  /** A user's name, 'culler', 'hub' or 'runtime'. */
  by: string | null;
  message: string | null;
  /** The profile it ran (null for events stored before the hub kept it). */
  profile: string | null;
}

export interface UserModel {
  name: string;
  admin: boolean;
  last_activity: string | null;
  servers: Record<string, ServerModel>;
}

export interface UserPage {
  items: UserModel[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number } | null };
}

/** An API token as GET /hub/api/users/{name}/tokens lists it (never its secret). */
export interface TokenModel {
  id: string;
  note: string | null;
  created: string | null;
  last_activity: string | null;
  expires_at: string | null;
  prefix: string;
}

/** A service as GET /hub/api/services lists it (JupyterHub's model; the fields the console uses). */
export interface ServiceModel {
  name: string;
  /** Its path on the hub, /services/{name}/ ('' for a service without a web server). */
  prefix: string;
  display: boolean;
}

export interface Profile {
  name: string;
  /** What it runs, e.g. "JupyterLab 4.6.6". */
  display_name: string;
  /** The profile a server started without naming one gets. */
  default: boolean;
  error?: string;
}

export interface LoginResult {
  name: string;
  admin: boolean;
  next: string;
}

/** Labels of a usage series or total: which runtime, kernel or notebook it is about. */
export interface UsageLabels {
  user?: string;
  server?: string;
  kernel?: string;
  notebook?: string;
}

export interface UsagePoint {
  /** Unix seconds, the start of the step. */
  t: number;
  /** Cores, mean over the step. */
  cpu: number | null;
  /** Bytes, max over the step. */
  memory: number | null;
}

export interface UsageSeries {
  labels: UsageLabels;
  points: UsagePoint[];
}

export interface UsageTotal {
  labels: UsageLabels;
  cpu_seconds: number;
  peak_memory: number;
}

export interface UsageResult {
  series: UsageSeries[];
  totals: UsageTotal[];
}

export type UsageGroup = 'user' | 'server' | 'kernel' | 'notebook';

export interface UsageQuery {
  user?: string;
  server?: string;
  kernel?: string;
  notebook?: string;
  group_by?: UsageGroup;
  /** Unix seconds. */
  from: number;
  to: number;
  /** Seconds. */
  step: number;
}

/** A named app of a running server (GET …/apps). */
export interface AppModel {
  name: string;
  title: string;
  icon: string;
  state: 'stopped' | 'starting' | 'running' | 'failed';
  url: string;
  message: string | null;
  restarts: number;
}

export interface KernelModel {
  id: string;
  name: string;
  notebooks: string[];
  /** Jupyter's: idle, busy, starting…; null when the runtime did not say. */
  execution_state: string | null;
  last_activity: string | null;
  connections: number;
  /** Cores now (the kernel's processes together); null: no figure yet. */
  cpu: number | null;
  /** Bytes now; null: no figure yet. */
  memory: number | null;
}

export interface ProcessModel {
  pid: number;
  ppid: number;
  command: string;
  cpu: number | null;
  memory: number | null;
  kernel_id: string | null;
  notebook: string | null;
}

export type ProcessSignal = 'SIGINT' | 'SIGTERM' | 'SIGKILL';

export type ExecutionStatus = 'running' | 'ok' | 'error' | 'aborted' | 'interrupted' | 'died' | 'lost';

/** A cell execution (GET /hub/api/executions). Times are ISO 8601. */
export interface ExecutionModel {
  id: string;
  user: string;
  server: string;
  kernel_id: string;
  notebook: string | null;
  cell_id: string | null;
  execution_count: number | null;
  code: string | null;
  started: string;
  ended: string | null;
  duration_seconds: number | null;
  status: ExecutionStatus;
  cpu_seconds: number | null;
  peak_memory: number | null;
  /** Executor CPU of the cell's Spark jobs on its runtime's cluster; null without a cluster or a job. */
  spark_cpu_seconds: number | null;
  error_name: string | null;
  attribution: 'pending' | 'session' | 'cell' | 'ambiguous' | 'none';
  notebook_candidates: string[];
}

export interface ExecutionPage {
  items: ExecutionModel[];
  _pagination: { offset: number; limit: number; total: number; next: { offset: number; limit: number } | null };
}

export interface ExecutionQuery {
  user?: string;
  /** '' is the default server (the executions API accepts it). */
  server?: string;
  notebook?: string;
  /** Unix seconds: executions whose run overlaps [since, until]. */
  since?: number;
  until?: number;
  limit?: number;
  offset?: number;
}

export interface NotebookSummary {
  user: string;
  server: string;
  notebook: string | null;
  runs: number;
  errors: number;
  cpu_seconds: number;
  peak_memory: number | null;
  last_run: string | null;
}

export interface KernelCost {
  user: string;
  server: string;
  kernel_id: string;
  notebooks: string[];
  runs: number;
  cpu_seconds: number | null;
  execution_cpu_seconds: number;
  idle_cpu_seconds: number | null;
}

export interface ExecutionSummary {
  since: string;
  until: string;
  notebooks: NotebookSummary[];
  kernels: KernelCost[];
  /** The sums of the rows (absent from a hub before issue 17). */
  totals?: {
    runs: number;
    errors: number;
    cpu_seconds: number;
    kernel_cpu_seconds: number;
    execution_cpu_seconds: number;
    idle_cpu_seconds: number;
  };
}

/** One kept start of a server's output (GET …/logs). */
export interface LogStart {
  id: string;
  index: number;
  started_at: string;
  profile: string;
  /** 'runtime', then 'app:{name}' for each named app that printed. */
  streams: string[];
  bytes: number;
}

export interface LogAnswer {
  starts: LogStart[];
  start: string | null;
  stream: string;
  lines: string[];
  next: number;
}

export interface LogQuery {
  /** 'latest' or a start's id. */
  start: string;
  stream: string;
  q: string;
  tail: number;
}

export type ClusterState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

/** A Spark cluster (GET /hub/api/clusters[/{name}]). */
export interface ClusterModel {
  name: string;
  kind: string;
  owner: string;
  users: string[];
  workers: number;
  worker_cores: number;
  /** "1g", "512m" */
  worker_memory: string;
  state: ClusterState;
  /** Where its UIs are on the hub: /clusters/{name}/ */
  ui_url: string;
  failure: string | null;
  /** ISO text (epoch milliseconds are read too). */
  created: string | number | null;
  started: string | number | null;
  stopped: string | number | null;
}

export interface NewCluster {
  name: string;
  kind: 'spark';
  workers: number;
  worker_cores: number;
  worker_memory: string;
  owner?: string;
  users?: string[];
}

/** One application submitted through the hub (GET /hub/api/clusters/{name}/jobs[/{id}]). */
export interface SparkJobModel {
  id: string;
  user: string;
  resource: string;
  main_class: string;
  /** Spark's driver state: SUBMITTED, RUNNING, FINISHED, FAILED, KILLED, … */
  state: string;
  submitted: string | number | null;
  ended: string | number | null;
  message: string | null;
  /** The application's UI through the hub (/clusters/{name}/proxy/{appId}/) while it runs. */
  ui_url?: string | null;
  /** Only in GET …/jobs/{id}: the driver's output. */
  driver_log?: string | null;
}

/** CPU (cores) and memory (bytes) now; null is "no figure yet", shown as "—" (GET /hub/api/live). */
export interface LiveServer {
  user: string;
  /** '' for the default server. */
  server: string;
  cpu: number | null;
  memory: number | null;
  kernels: number | null;
}

export interface LiveAnswer {
  /** When it was read, ISO 8601. */
  t: string;
  servers: LiveServer[];
  users: Array<{ user: string; cpu: number | null; memory: number | null }>;
}
