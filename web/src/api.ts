import type {
  AppModel,
  ClusterModel,
  NewCluster,
  SparkJobModel,
  HistoryEvent,
  ExecutionPage,
  ExecutionQuery,
  ExecutionSummary,
  KernelModel,
  LiveAnswer,
  LogAnswer,
  LogQuery,
  LoginResult,
  ProcessModel,
  ProcessSignal,
  Profile,
  ServiceModel,
  TokenModel,
  UsageQuery,
  UsageResult,
  UserModel,
  UserPage,
} from './types.js';
import { hubClock } from './hubClock.js';
import { itemsOf } from './clusters.js';

/** An API answer that is not 2xx, with the hub's own message (`{"status", "message"}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const XSRF_COOKIE = 'nbhub-xsrf';

/** The session's XSRF value: every cookie-authenticated write echoes it in X-XSRFToken. */
const xsrf = (): string => {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === XSRF_COOKIE) return rest.join('=');
  }
  return '';
};

const messageOf = async (res: Response): Promise<string> => {
  try {
    const body = (await res.json()) as { message?: unknown };
    if (typeof body.message === 'string' && body.message !== '') return body.message;
  } catch {
    // not JSON (a proxy in front of the hub, for example)
  }
  return `${res.status} ${res.statusText || 'error'}`;
};

const request = async <T>(method: string, path: string, o: { body?: unknown; accept?: string; prefer?: string } = {}): Promise<T> => {
  const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' };
  if (o.prefer) headers['Prefer'] = o.prefer;
  if (method !== 'GET') headers['X-XSRFToken'] = xsrf();
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  const sentAt = Date.now();
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  hubClock.note(res.headers.get('date'), sentAt, Date.now());
  if (!res.ok) throw new ApiError(res.status, await messageOf(res));
  if (res.status === 204 || res.headers.get('content-type')?.includes('json') !== true) return undefined as T;
  return (await res.json()) as T;
};

const enc = encodeURIComponent;
const userPath = (user: string) => `/hub/api/users/${enc(user)}`;
const clusterPath = (name: string) => `/hub/api/clusters/${enc(name)}`;
/** The default server ('') and named servers have different paths, as in JupyterHub. */
const serverPath = (user: string, server: string) => (server === '' ? `${userPath(user)}/server` : `${userPath(user)}/servers/${enc(server)}`);

/**
 * The query string of GET /hub/api/usage. Unset and empty filters are left out: the hub refuses an empty value, so
 * the default server ('') cannot be named; callers keep its series by their labels.
 */
export const usageSearch = (q: UsageQuery): string => {
  const params = new URLSearchParams();
  for (const key of ['user', 'server', 'kernel', 'notebook', 'group_by'] as const) {
    const v = q[key];
    if (v !== undefined && v !== '') params.set(key, v);
  }
  params.set('from', String(Math.floor(q.from)));
  params.set('to', String(Math.ceil(q.to)));
  params.set('step', String(q.step));
  return params.toString();
};

/** The query string of GET /hub/api/executions (and its summary); `server` '' names the default server. */
export const executionSearch = (q: ExecutionQuery): string => {
  const params = new URLSearchParams();
  if (q.user !== undefined) params.set('user', q.user);
  if (q.server !== undefined) params.set('server', q.server);
  if (q.notebook !== undefined) params.set('notebook', q.notebook);
  if (q.since !== undefined) params.set('since', String(Math.floor(q.since)));
  if (q.until !== undefined) params.set('until', String(Math.ceil(q.until)));
  if (q.limit !== undefined) params.set('limit', String(q.limit));
  if (q.offset !== undefined) params.set('offset', String(q.offset));
  return params.toString();
};

/** The query string of GET …/logs; `follow` asks for the event stream. */
export const logSearch = (q: LogQuery, follow: boolean): string => {
  const params = new URLSearchParams({ start: q.start, stream: q.stream, tail: String(q.tail) });
  if (q.q !== '') params.set('q', q.q);
  if (follow) params.set('follow', '1');
  return params.toString();
};

/** Where the console follows a server's output (an EventSource: the session cookie goes along). */
export const logFollowUrl = (user: string, server: string, q: LogQuery): string => `${serverPath(user, server)}/logs?${logSearch(q, true)}`;
export const clusterLogFollowUrl = (name: string, q: LogQuery): string => `${clusterPath(name)}/logs?${logSearch(q, true)}`;

/** JupyterHub's progress event stream of a server's start. */
export const progressUrl = (user: string, server: string): string => `${serverPath(user, server)}/progress`;

export const PAGINATION_TYPE = 'application/jupyterhub-pagination+json';

export const api = {
  login: (username: string, password: string, next?: string) =>
    request<LoginResult>('POST', '/hub/login', { body: { username, password, ...(next ? { next } : {}) } }),
  logout: () => request<void>('POST', '/hub/logout'),
  /** How this hub logs people in (password form or an OpenID Connect provider's button); no login needed. */
  loginOptions: () => request<{ authenticator: 'local' | 'ldap' | 'oidc'; oidc?: { label: string; login_url: string } }>('GET', '/hub/api/login-options'),
  me: () => request<UserModel>('GET', '/hub/api/user?include_stopped_servers=1'),
  user: (name: string) => request<UserModel>('GET', `${userPath(name)}?include_stopped_servers=1`),
  users: (offset: number, limit: number) =>
    request<UserPage>('GET', `/hub/api/users?include_stopped_servers=1&offset=${offset}&limit=${limit}`, { accept: PAGINATION_TYPE }),
  profiles: () => request<{ profiles: Profile[] }>('GET', '/hub/api/profiles').then((r) => r.profiles),
  services: () => request<Record<string, ServiceModel>>('GET', '/hub/api/services').then((r) => Object.values(r)),
  startServer: (user: string, server: string, profile?: string) =>
    request<unknown>('POST', serverPath(user, server), { body: profile ? { profile } : {} }),
  /** Asks for the start and answers at once (Prefer: respond-async); the start page follows it. */
  beginStart: (user: string, server: string, profile?: string) =>
    request<unknown>('POST', serverPath(user, server), { body: profile ? { profile } : {}, prefer: 'respond-async' }),
  stopServer: (user: string, server: string) => request<void>('DELETE', serverPath(user, server)),
  /** Stops a named server and deletes it with its workspace. */
  removeServer: (user: string, server: string) => request<void>('DELETE', serverPath(user, server), { body: { remove: true } }),
  createUser: (name: string, o: { admin: boolean; password?: string }) =>
    request<UserModel>('POST', userPath(name), { body: { admin: o.admin, ...(o.password ? { password: o.password } : {}) } }),
  deleteUser: (name: string) => request<void>('DELETE', userPath(name)),
  /** A page of the user list; `search` is the query string from adminView's usersSearch. */
  usersPage: (search: string) => request<UserPage>('GET', `/hub/api/users?${search}`, { accept: PAGINATION_TYPE }),
  /** name, admin and password, as JupyterHub's PATCH (password: nbhub's, for local accounts). */
  updateUser: (name: string, change: { name?: string; admin?: boolean; password?: string }) =>
    request<UserModel>('PATCH', userPath(name), { body: change }),
  tokens: (user: string) => request<{ api_tokens: TokenModel[] }>('GET', `${userPath(user)}/tokens`).then((r) => r.api_tokens),
  revokeToken: (user: string, id: string) => request<void>('DELETE', `${userPath(user)}/tokens/${enc(id)}`),

  history: (user: string, server: string) =>
    request<{ events: HistoryEvent[] }>('GET', `${serverPath(user, server)}/history?limit=50`).then((r) => r.events),
  /**
   * Counts as activity in the server now (JupyterHub's activity report): postpones its culling. No time is
   * sent: the hub stamps its own (an nbhub extension), so the browser's clock does not matter.
   */
  keepRunning: (user: string, server: string) => request<void>('POST', `${userPath(user)}/activity`, { body: { servers: { [server]: {} } } }),

  logs: (user: string, server: string, q: LogQuery) => request<LogAnswer>('GET', `${serverPath(user, server)}/logs?${logSearch(q, false)}`),

  usage: (q: UsageQuery) => request<UsageResult>('GET', `/hub/api/usage?${usageSearch(q)}`),
  kernels: (user: string, server: string) =>
    request<{ kernels: KernelModel[] }>('GET', `${serverPath(user, server)}/kernels`).then((r) => r.kernels),
  interruptKernel: (user: string, server: string, id: string) =>
    request<void>('POST', `${serverPath(user, server)}/kernels/${enc(id)}/interrupt`),
  restartKernel: (user: string, server: string, id: string) => request<void>('POST', `${serverPath(user, server)}/kernels/${enc(id)}/restart`),
  shutdownKernel: (user: string, server: string, id: string) => request<void>('DELETE', `${serverPath(user, server)}/kernels/${enc(id)}`),
  executions: (q: ExecutionQuery) => request<ExecutionPage>('GET', `/hub/api/executions?${executionSearch(q)}`),
  executionSummary: (q: ExecutionQuery) =>
    request<ExecutionSummary>('GET', `/hub/api/executions/summary?${executionSearch({ ...q, limit: undefined, offset: undefined })}`),
  interruptExecution: (id: string) => request<void>('POST', `/hub/api/executions/${enc(id)}/interrupt`),
  apps: (user: string, server: string) => request<AppModel[]>('GET', `${serverPath(user, server)}/apps`),
  startApp: (user: string, server: string, app: string) => request<AppModel>('POST', `${serverPath(user, server)}/apps/${enc(app)}`),
  stopApp: (user: string, server: string, app: string) => request<void>('DELETE', `${serverPath(user, server)}/apps/${enc(app)}`),
  clusters: () => request<ClusterModel[] | { items: ClusterModel[] }>('GET', '/hub/api/clusters').then(itemsOf),
  cluster: (name: string) => request<ClusterModel>('GET', clusterPath(name)),
  createCluster: (c: NewCluster) => request<ClusterModel>('POST', '/hub/api/clusters', { body: c }),
  startCluster: (name: string) => request<unknown>('POST', `${clusterPath(name)}/start`),
  stopCluster: (name: string) => request<unknown>('POST', `${clusterPath(name)}/stop`),
  deleteCluster: (name: string) => request<void>('DELETE', clusterPath(name)),
  clusterLogs: (name: string, q: LogQuery) => request<LogAnswer>('GET', `${clusterPath(name)}/logs?${logSearch(q, false)}`),
  clusterJobs: (name: string) => request<SparkJobModel[] | { items: SparkJobModel[] }>('GET', `${clusterPath(name)}/jobs`).then(itemsOf),
  clusterJob: (name: string, id: string) => request<SparkJobModel>('GET', `${clusterPath(name)}/jobs/${enc(id)}`),
  killJob: (name: string, id: string) => request<unknown>('DELETE', `${clusterPath(name)}/jobs/${enc(id)}`),
  processes: (user: string, server: string) =>
    request<{ processes: ProcessModel[] }>('GET', `${serverPath(user, server)}/processes`).then((r) => r.processes),
  signalProcess: (user: string, server: string, pid: number, signal: ProcessSignal) =>
    request<void>('POST', `${serverPath(user, server)}/processes/${pid}/signal`, { body: { signal } }),
  /** CPU and memory now of running servers (all the caller may see, or only `users`'). */
  live: (users: readonly string[] = []) =>
    request<LiveAnswer>('GET', `/hub/api/live${users.length > 0 ? `?${new URLSearchParams(users.map((u) => ['user', u]))}` : ''}`),
};
