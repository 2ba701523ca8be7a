import type { AuditTrail } from '../core/audit.js';
import type { Config } from '../config/schema.js';
import type { PasswordAuthenticator } from '../core/authenticator.js';
import type { AppDirectory } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import type { ClusterControl } from '../core/clusters.js';
import type { CullView } from '../core/culling.js';
import type { IdGenerator } from '../core/ids.js';
import type { IdentityCache } from '../core/identity.js';
import type { KernelControlSink } from '../core/kernel-tap.js';
import type { CredentialRevocations } from '../core/revocations.js';
import type { LogShippingView } from '../core/log-shipping.js';
import type { Logger } from '../core/logger.js';
import type { OidcLogin } from '../core/oidc-login.js';
import type { ClusterLogs, LogFeedView, ServerLogs, ServiceLogs } from '../core/logs.js';
import type { RuntimeClient } from '../core/runtime-client.js';
import type { ProcessDoor } from '../core/process-door.js';
import type { ExecutionTracker } from '../core/executions.js';
import type { ServerDirectory, ServerRequests } from '../core/servers.js';
import type { ServiceDirectory } from '../core/services.js';
import type { SparkJobs } from '../core/spark-jobs.js';
import type { Store } from '../core/store.js';
import type { Role } from '../core/roles.js';
import type { MonitorView } from '../core/usage.js';

/** Everything the routes use, passed in once by the CLI: interfaces only (src/core), each once. */
export interface ApiContext {
  config: Readonly<Config>;
  store: Store;
  /** The servers as they are now (records, what runs, activity). */
  servers: ServerDirectory;
  /** Start, stop and delete servers; what deleting and renaming users needs of them. */
  requests: ServerRequests;
  /** Checks usernames and passwords at POST /hub/login (local accounts or LDAP: config auth.authenticator). */
  authenticator: PasswordAuthenticator;
  /** OpenID Connect login (/hub/oauth_login, /hub/oauth_callback) when config auth.authenticator is oidc. */
  oidc?: OidcLogin | undefined;
  /** Who a request is; told when a user's credentials change. */
  identity: IdentityCache;
  /** Closes what a credential opened (the proxies' WebSockets) when it is revoked; absent: nothing outlives a request. */
  revocations?: CredentialRevocations | undefined;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** The roles in force (built-in and auth.roles); absent: the built-in ones. */
  roles?: readonly Role[];
  /** Where audit events are stored (issue 16). */
  auditTrail?: AuditTrail | undefined;
  /** Names of the configured profiles, with display names, for the console. */
  profiles: Array<{ name: string; display_name: string; error?: string }>;
  /** Built console (web/dist), or null when it was not built. */
  webDir: string | null;
  /**
   * The monitor: the latest sweep of the runtimes this instance monitors, and which agents it pulls (null
   * only before monitoring has started).
   */
  usage: MonitorView | null;
  /** The door to the runtimes' processes (lists and signals), through the agent beside each runtime. */
  processes: ProcessDoor;
  /** This installation's id (runtimes are marked with it; agents learn it at registration). */
  hubId: string;
  /** Told of kernel interrupts, restarts and shutdowns asked through the hub's API (execution history). */
  kernelControl?: KernelControlSink | undefined;
  /** When each running server will be culled (`nbhub.cull_at`). */
  culling: CullView;
  /** The runtimes' own REST API (kernels, sessions, kernel actions). */
  runtimeApi: RuntimeClient;
  /** The execution recorder, or null when monitoring.executions is off. */
  executions: ExecutionTracker | null;
  /** Each start's output of the servers (read, follow; deleted with the server or the user). */
  logs: ServerLogs;
  /** Each start's output of the managed services (read, follow; admins only). */
  serviceLogs: ServiceLogs;
  /** Each start's output of the Spark clusters' processes (read, follow; the cluster's users and admins). */
  clusterLogs: ClusterLogs;
  version: string;
  /** The configured services (config `services`): what GET /hub/api/services lists. */
  services: ServiceDirectory;
  /** The named apps of the running servers (started, restarted, stopped by the hub). */
  apps: AppDirectory;
  /** Spark jobs on the hub's clusters (submit from the object store, follow, kill, history). */
  sparkJobs: SparkJobs;
  /** Spark clusters: their records, who may use them, start/stop/delete. */
  clusters: ClusterControl;
  /** Log shipping's counters per target, for /hub/metrics (absent where nothing ships). */
  logShipping?: LogShippingView | undefined;
  /** What the log feed lost before shipping, for /hub/metrics (absent in tests that build no feed). */
  logFeed?: LogFeedView | undefined;
}
